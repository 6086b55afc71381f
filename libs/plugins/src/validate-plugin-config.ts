import { isPlainObject, validateRecord } from '@tollgate/config';
import type { EntityCheck, FieldErrors, FieldMap, ValidateOptions, Validated } from '@tollgate/config';
import type { PluginSchema } from './plugin-schema';
import { findPluginSchema } from './registry';

/**
 * Validates a plugin instance's config: fills defaults, coerces form strings when asked, and
 * runs the plugin's cross-field rules. `value` is the config; `errors` are keyed like the
 * plugin entity (`{ config: { minute: ... } }`, or `{ name: ... }` for an unknown plugin), so
 * `describeErrors` reads as Kong's `schema violation (config.minute: expected a number)`.
 */
export function validatePluginConfig(name: string, config: unknown, options: ValidateOptions = {}): Validated {
  const schema = findPluginSchema(name);
  if (!schema) {
    return { value: {}, errors: { name: `plugin '${name}' not enabled; add it to the 'plugins' configuration property` } };
  }
  const input = expandShorthands(schema, config ?? {});
  const checks = schema.config_checks ?? [];
  const { value, errors } = validateRecord(schema.config, input, options, checks.filter((c) => !isNested(c)));
  const nested = runNestedChecks(checks.filter(isNested), value, errors ?? {});
  const custom = !errors && nested.length === 0 ? (schema.config_validator?.(value) ?? null) : null;
  if (custom !== null) nested.push(custom);
  if (!errors && nested.length === 0) return { value, errors: null };
  const configErrors: FieldErrors = { ...errors };
  const entity = [...asList(configErrors['@entity']), ...nested];
  if (entity.length > 0) configErrors['@entity'] = entity;
  return { value, errors: { config: configErrors } };
}

function checkFields(check: EntityCheck): readonly string[] {
  if ('conditional' in check) return [check.conditional.if_field, check.conditional.then_field];
  if ('at_least_one_of' in check) return check.at_least_one_of;
  if ('only_one_of' in check) return check.only_one_of;
  if ('mutually_exclusive' in check) return check.mutually_exclusive;
  return check.mutually_required;
}

function isNested(check: EntityCheck): boolean {
  return checkFields(check).some((field) => field.includes('.'));
}

function lookup(value: unknown, path: string): unknown {
  let node = value;
  for (const key of path.split('.')) node = isPlainObject(node) ? node[key] : undefined;
  return node;
}

function asList(node: FieldErrors[string] | undefined): string[] {
  if (node === undefined) return [];
  return typeof node === 'string' ? [node] : Array.isArray(node) ? node : [];
}

/**
 * The shared validator checks top-level fields only; a check over dotted paths runs on a flat
 * view keyed by those paths, so its messages are the validator's own.
 */
function runNestedChecks(checks: readonly EntityCheck[], value: Record<string, unknown>, errors: FieldErrors): string[] {
  const out: string[] = [];
  for (const check of checks) {
    const fields = checkFields(check);
    if (fields.some((field) => (field.split('.')[0] ?? field) in errors)) continue;
    const probe: FieldMap = Object.fromEntries(fields.map((field) => [field, { type: 'json' }]));
    const view = Object.fromEntries(fields.map((field) => [field, lookup(value, field)]));
    out.push(...asList(validateRecord(probe, view, {}, [check]).errors?.['@entity']));
  }
  return out;
}

/** Moves older flat names onto their nested path; the nested name wins when both are given. */
function expandShorthands(schema: PluginSchema, input: unknown): unknown {
  if (!schema.shorthands || !isPlainObject(input)) return input;
  const out: Record<string, unknown> = { ...input };
  for (const [flat, path] of Object.entries(schema.shorthands)) {
    if (!(flat in out)) continue;
    const [root, leaf] = path.split('.') as [string, string];
    const parent = out[root] ?? {};
    if (!isPlainObject(parent)) continue;
    out[root] = leaf in parent ? parent : { ...parent, [leaf]: out[flat] };
    delete out[flat];
  }
  return out;
}
