import type { EntityCheck, FieldErrors, FieldMap, FieldMatch, FieldSchema } from './field';
import { runStringCheck } from './string-checks';

export interface ValidateOptions {
  /** Bodies from forms and multipart carry only strings: coerce them by the schema. */
  readonly coerce?: boolean;
}

export interface Validated {
  readonly value: Record<string, unknown>;
  readonly errors: FieldErrors | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const UNSTORABLE = /[\0\p{Cs}]/u;

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Validates a record against its fields, filling defaults and (optionally) coercing strings.
 * Unknown fields, missing required ones and every type or value error are reported together,
 * keyed like the input, the way Kong reports schema violations.
 */
export function validateRecord(
  fields: FieldMap,
  input: unknown,
  options: ValidateOptions = {},
  entityChecks: readonly EntityCheck[] = [],
): Validated {
  if (!isPlainObject(input)) return { value: {}, errors: { '@entity': ['expected a record'] } };
  const value: Record<string, unknown> = {};
  const errors: FieldErrors = {};
  for (const key of Object.keys(input)) {
    // Own keys only: `constructor` or `toString` are not fields because every object inherits them.
    if (!Object.hasOwn(fields, key)) errors[key] = 'unknown field';
  }
  for (const [name, schema] of Object.entries(fields)) {
    const result = validateField(schema, input[name], options);
    if (result.error !== undefined) errors[name] = result.error;
    else if (result.value !== undefined) value[name] = result.value;
  }
  const entityErrors = runEntityChecks(entityChecks, value, errors);
  if (entityErrors.length > 0) errors['@entity'] = entityErrors;
  return { value, errors: Object.keys(errors).length > 0 ? errors : null };
}

interface FieldResult {
  value?: unknown;
  error?: string | string[] | FieldErrors;
}

export function validateField(schema: FieldSchema, raw: unknown, options: ValidateOptions): FieldResult {
  // A record left out is filled with its own defaults, as Kong does (healthchecks, redis, ...).
  if (raw === undefined && schema.type === 'record' && !schema.nullable) raw = schema.default ?? {};
  if (raw === undefined || raw === null || (options.coerce && raw === '' && schema.type !== 'string')) {
    if (raw === undefined && schema.default !== undefined) return { value: structuredClone(schema.default) };
    // A field with a default is nullable only when it says so (see FieldSchema.nullable).
    if (schema.required || (schema.default !== undefined && !schema.nullable)) return { error: 'required field missing' };
    return { value: null };
  }
  switch (schema.type) {
    case 'string':
      return checkString(schema, raw);
    case 'integer':
    case 'number':
      return checkNumber(schema, options.coerce ? coerceNumber(raw) : raw);
    case 'boolean':
      return checkBoolean(options.coerce ? coerceBoolean(raw) : raw);
    case 'array':
    case 'set':
      return checkArray(schema, raw, options);
    case 'map':
      return checkMap(schema, raw, options);
    case 'record': {
      const result = validateRecord(schema.fields ?? {}, raw, options, schema.entity_checks);
      return result.errors ? { error: result.errors } : { value: result.value };
    }
    case 'foreign':
      return checkForeign(raw);
    case 'json':
      return { value: raw };
  }
}

function checkString(schema: FieldSchema, raw: unknown): FieldResult {
  if (typeof raw !== 'string') return { error: 'expected a string' };
  // Postgres stores neither in text, nor in jsonb.
  if (UNSTORABLE.test(raw)) return { error: 'invalid value: NUL characters and unpaired surrogates are not allowed' };
  if (schema.len_min !== undefined && raw.length < schema.len_min) {
    return { error: schema.len_min === 1 ? 'length must be at least 1' : `length must be at least ${schema.len_min}` };
  }
  const max = schema.len_max ?? 65536;
  if (raw.length > max) return { error: `length must be at most ${max}` };
  if (schema.one_of && !schema.one_of.includes(raw)) return { error: `expected one of: ${schema.one_of.join(', ')}` };
  if (schema.check) {
    const message = runStringCheck(schema.check, raw);
    if (message) return { error: message };
  }
  return { value: raw };
}

function coerceNumber(raw: unknown): unknown {
  if (typeof raw !== 'string' || raw.trim() === '') return raw;
  const n = Number(raw);
  return Number.isNaN(n) ? raw : n;
}

function coerceBoolean(raw: unknown): unknown {
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  return raw;
}

function checkNumber(schema: FieldSchema, raw: unknown): FieldResult {
  if (typeof raw !== 'number' || !Number.isFinite(raw)) {
    return { error: schema.type === 'integer' ? 'expected an integer' : 'expected a number' };
  }
  if (schema.type === 'integer' && !Number.isSafeInteger(raw)) return { error: 'expected an integer' };
  if (schema.between && (raw < schema.between[0] || raw > schema.between[1])) {
    return { error: `value should be between ${schema.between[0]} and ${schema.between[1]}` };
  }
  if (schema.gt !== undefined && raw <= schema.gt) return { error: `value must be greater than ${schema.gt}` };
  if (schema.one_of && !schema.one_of.includes(raw)) return { error: `expected one of: ${schema.one_of.join(', ')}` };
  return { value: raw };
}

function checkBoolean(raw: unknown): FieldResult {
  return typeof raw === 'boolean' ? { value: raw } : { error: 'expected a boolean' };
}

function checkArray(schema: FieldSchema, raw: unknown, options: ValidateOptions): FieldResult {
  // A form field given once arrives as a plain string: it is a one-element array.
  const list = options.coerce && !Array.isArray(raw) && typeof raw !== 'object' ? [raw] : raw;
  if (!Array.isArray(list)) return { error: schema.type === 'set' ? 'expected a set' : 'expected an array' };
  if (schema.len_min !== undefined && list.length < schema.len_min) return { error: `length must be at least ${schema.len_min}` };
  if (schema.len_max !== undefined && list.length > schema.len_max) return { error: `length must be at most ${schema.len_max}` };
  const element = schema.elements ?? { type: 'json' };
  const out: unknown[] = [];
  const errors: string[] = [];
  for (const item of list) {
    const result = validateField({ ...element, required: true, default: undefined }, item, options);
    if (result.error !== undefined) {
      errors.push(typeof result.error === 'string' ? result.error : JSON.stringify(result.error));
    } else if (schema.type !== 'set' || !out.includes(result.value)) {
      out.push(result.value);
    }
  }
  return errors.length > 0 ? { error: errors } : { value: out };
}

function checkMap(schema: FieldSchema, raw: unknown, options: ValidateOptions): FieldResult {
  if (!isPlainObject(raw)) return { error: 'expected a map' };
  if (schema.len_min !== undefined && Object.keys(raw).length < schema.len_min) return { error: `length must be at least ${schema.len_min}` };
  const out: Record<string, unknown> = {};
  const errors: FieldErrors = {};
  for (const [key, item] of Object.entries(raw)) {
    if (schema.keys) {
      const keyResult = validateField(schema.keys, key, options);
      if (keyResult.error !== undefined) {
        errors[key] = keyResult.error;
        continue;
      }
    }
    const result = validateField({ ...(schema.values ?? { type: 'json' }), required: true }, item, options);
    if (result.error !== undefined) errors[key] = result.error;
    else out[key] = result.value;
  }
  return Object.keys(errors).length > 0 ? { error: errors } : { value: out };
}

function checkForeign(raw: unknown): FieldResult {
  // A foreign key is `{ id }`, or `{ name }` on entities whose endpoint key is name; it is
  // resolved to an id by the store. A bare string is accepted as shorthand for either.
  const ref = typeof raw === 'string' ? (isUuid(raw) ? { id: raw } : { name: raw }) : raw;
  if (!isPlainObject(ref)) return { error: 'expected a record' };
  const keys = Object.keys(ref);
  if (keys.length !== 1 || (keys[0] !== 'id' && keys[0] !== 'name')) return { error: { id: 'required field missing' } };
  if (keys[0] === 'id' && !isUuid(ref.id)) return { error: { id: 'expected a valid UUID' } };
  if (keys[0] === 'name' && typeof ref.name !== 'string') return { error: { name: 'expected a string' } };
  return { value: ref };
}

function isSet(value: unknown): boolean {
  if (value === null || value === undefined) return false;
  if (Array.isArray(value)) return value.length > 0;
  if (isPlainObject(value)) return Object.keys(value).length > 0;
  return value !== '';
}

function quoteList(fields: readonly string[]): string {
  return fields.map((f) => `'${f}'`).join(', ');
}

function matches(match: FieldMatch, value: unknown): boolean {
  if (match.required !== undefined && isSet(value) !== match.required) return false;
  if (match.one_of && !match.one_of.includes(value as string)) return false;
  if (match.eq !== undefined && value !== match.eq) return false;
  if (match.gt !== undefined && !(typeof value === 'number' && value > match.gt)) return false;
  if (match.contains !== undefined && !(Array.isArray(value) && value.includes(match.contains))) return false;
  return true;
}

function runEntityChecks(checks: readonly EntityCheck[], value: Record<string, unknown>, fieldErrors: FieldErrors): string[] {
  const out: string[] = [];
  for (const check of checks) {
    if ('at_least_one_of' in check) {
      if (check.at_least_one_of.some((f) => f in fieldErrors)) continue;
      if (!check.at_least_one_of.some((f) => isSet(value[f]))) {
        out.push(`at least one of these fields must be non-empty: ${quoteList(check.at_least_one_of)}`);
      }
    } else if ('only_one_of' in check) {
      if (check.only_one_of.filter((f) => isSet(value[f])).length !== 1) {
        out.push(`exactly one of these fields must be non-empty: ${quoteList(check.only_one_of)}`);
      }
    } else if ('mutually_exclusive' in check) {
      if (check.mutually_exclusive.filter((f) => isSet(value[f])).length > 1) {
        out.push(`only one or none of these fields must be set: ${quoteList(check.mutually_exclusive)}`);
      }
    } else if ('mutually_required' in check) {
      const set = check.mutually_required.filter((f) => isSet(value[f])).length;
      if (set !== 0 && set !== check.mutually_required.length) {
        out.push(`all or none of these fields must be set: ${quoteList(check.mutually_required)}`);
      }
    } else {
      const c = check.conditional;
      if (c.if_field in fieldErrors || c.then_field in fieldErrors) continue;
      if (matches(c.if_match, value[c.if_field]) && !matches(c.then_match, value[c.then_field])) {
        const expected = c.then_match.required
          ? 'required field missing'
          : c.then_match.contains !== undefined
            ? `must contain '${c.then_match.contains}'`
            : `invalid value: ${JSON.stringify(value[c.then_field])}`;
        out.push(`failed conditional validation given value of field '${c.if_field}': ${c.then_field}: ${expected}`);
      }
    }
  }
  return out;
}

/** Kong's top-level message: `schema violation (name: expected a string)`. */
export function describeErrors(errors: FieldErrors): string {
  const parts: string[] = [];
  const walk = (prefix: string, node: FieldErrors | string | string[]) => {
    if (typeof node === 'string') parts.push(`${prefix}: ${node}`);
    else if (Array.isArray(node)) parts.push(`${prefix}: ${node.join(', ')}`);
    else for (const [k, v] of Object.entries(node)) walk(prefix ? `${prefix}.${k}` : k, v);
  };
  walk('', errors);
  return parts.length === 1 ? `schema violation (${parts[0]})` : `${parts.length} schema violations (${parts.join('; ')})`;
}
