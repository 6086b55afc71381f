import { appendValue, splitPair } from '../request-transformer/pairs';

export type JsonType = 'boolean' | 'number' | 'string';

/** One typed write on a JSON body: the value already cast, as Kong casts it. */
export interface JsonWrite {
  readonly name: string;
  readonly value: unknown;
}

export interface JsonEdits {
  readonly remove: readonly string[];
  readonly rename: readonly (readonly [string, string])[];
  readonly replace: readonly JsonWrite[];
  readonly add: readonly JsonWrite[];
  readonly append: readonly JsonWrite[];
}

function cast(value: string, type: JsonType | undefined): unknown {
  if (type === 'number') {
    const n = Number(value);
    return value.trim() === '' || Number.isNaN(n) ? undefined : n;
  }
  if (type === 'boolean') return value === 'true';
  return value;
}

/** `name:value` entries with their json_types by position; an empty value or a failed cast writes nothing. */
export function jsonWrites(entries: readonly string[], types: readonly JsonType[]): JsonWrite[] {
  const out: JsonWrite[] = [];
  entries.forEach((entry, i) => {
    const [name, raw] = splitPair(entry);
    if (raw === '') return;
    const value = cast(raw, types[i]);
    if (value !== undefined) out.push({ name, value });
  });
  return out;
}

/** Kong's order on a JSON body: remove, rename, replace, add, append. */
export function editJsonBody(body: Record<string, unknown>, edits: JsonEdits): void {
  for (const name of edits.remove) delete body[name];
  for (const [from, to] of edits.rename) {
    if (body[from] === undefined || to === '') continue;
    const value = body[from];
    delete body[from];
    body[to] = value;
  }
  // Kong tests Lua truthiness: a false or null member counts as absent for replace and add.
  for (const { name, value } of edits.replace) if (isTruthy(body[name])) body[name] = value;
  for (const { name, value } of edits.add) if (!isTruthy(body[name])) body[name] = value;
  for (const { name, value } of edits.append) body[name] = appendValue(body[name], value);
}

function isTruthy(value: unknown): boolean {
  return value !== undefined && value !== false;
}
