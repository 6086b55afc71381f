/** A transformer entry split as Kong splits it (`^([^:]+):*(.-)$`): the name, then the value after any colons. */
export type Pair = readonly [name: string, value: string];

export function splitPair(entry: string): Pair {
  const colon = entry.indexOf(':');
  if (colon === -1) return [entry, ''];
  let start = colon + 1;
  while (entry.charCodeAt(start) === 0x3a) start++;
  return [entry.slice(0, colon), entry.slice(start)];
}

/** Kong's append_value: a string becomes a list of two, a list grows, anything else is replaced. */
export function appendValue(current: unknown, value: unknown): unknown[] {
  if (typeof current === 'string') return [current, value];
  if (Array.isArray(current)) return [...(current as unknown[]), value];
  return [value];
}

/** Remove, rename, replace, add, append on URL-encoded parameters (query string or form body). */
export interface ParamEdits {
  readonly remove: readonly string[];
  readonly rename: readonly Pair[];
  readonly replace: readonly Pair[];
  readonly add: readonly Pair[];
  readonly append: readonly Pair[];
}

export function hasEdits(edits: ParamEdits): boolean {
  return edits.remove.length + edits.rename.length + edits.replace.length + edits.add.length + edits.append.length > 0;
}

/** Applies the edits in Kong's order; remove, rename and replace only touch a non-empty input. */
export function editParams(params: URLSearchParams, edits: ParamEdits, hasInput: boolean): void {
  if (hasInput) {
    for (const name of edits.remove) params.delete(name);
    for (const [from, to] of edits.rename) {
      if (from === to || !params.has(from)) continue;
      const values = params.getAll(from);
      params.delete(from);
      for (const v of values) params.append(to, v);
    }
    for (const [name, value] of edits.replace) if (params.has(name)) params.set(name, value);
  }
  for (const [name, value] of edits.add) if (!params.has(name)) params.set(name, value);
  for (const [name, value] of edits.append) params.append(name, value);
}

/** The same edits on a JSON object's top-level keys; returns whether anything changed. */
export function editJson(body: Record<string, unknown>, edits: ParamEdits, hasInput: boolean): boolean {
  let changed = false;
  if (hasInput) {
    for (const name of edits.remove) {
      delete body[name];
      changed = true;
    }
    for (const [from, to] of edits.rename) {
      if (from === to || body[from] === undefined) continue;
      body[to] = body[from];
      delete body[from];
      changed = true;
    }
    for (const [name, value] of edits.replace) {
      if (body[name] === undefined) continue;
      body[name] = value;
      changed = true;
    }
  }
  for (const [name, value] of edits.add) {
    if (body[name] !== undefined) continue;
    body[name] = value;
    changed = true;
  }
  for (const [name, value] of edits.append) {
    body[name] = appendValue(body[name], value);
    changed = true;
  }
  return changed;
}
