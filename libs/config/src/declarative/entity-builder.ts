import { ENTITIES, findEntity, foreignFields } from '../entities';
import type { FieldErrors } from '../schema/field';
import { describeErrors, isPlainObject, isUuid, validateRecord } from '../schema/validate';
import type { DeclarativeError } from './declarative-error';
import { entityLabel } from './declarative-error';
import { declarativeId } from './deterministic-id';
import type { TransformContext } from './entity-transforms';
import { completeEntity, expandShorthands } from './entity-transforms';
import type { RawEntity } from './entity-flattener';
import { unsupportedField } from './kong-unsupported';
import { naturalKey } from './natural-key';
import type { EntityIndex } from './reference-resolver';

/** Checks a plugin's config and fills its defaults; errors are keyed like the plugin entity. */
export type PluginConfigValidator = (name: string, config: unknown) => { readonly value: Record<string, unknown>; readonly errors: FieldErrors | null };

export interface BuildContext extends TransformContext {
  readonly index: EntityIndex;
  readonly validatePluginConfig?: PluginConfigValidator;
}

export type BuildResult = { readonly value: Record<string, unknown>; readonly error?: DeclarativeError };

/** Adds errors for fields that have none yet: the first reason found for a field is kept. */
function addErrors(into: FieldErrors, from: FieldErrors | null): void {
  for (const [field, error] of Object.entries(from ?? {})) if (!(field in into)) into[field] = error;
}

const FOREIGN_FIELDS = new Map(ENTITIES.map((def) => [def.name, foreignFields(def)]));

/** Foreign keys to `{ id }`: the enclosing entity for nested ones, else looked up by name or id. */
function resolveReferences(entity: RawEntity, input: Record<string, unknown>, ctx: BuildContext, errors: FieldErrors): Record<string, string | null> {
  const ids: Record<string, string | null> = {};
  for (const [field, schema] of FOREIGN_FIELDS.get(entity.def.name)!) {
    const parent = entity.parent?.field === field ? entity.parent.entity : undefined;
    const ref = input[field];
    ids[field] = parent?.id ?? null;
    if (ref === undefined || ref === null) {
      if (parent) input[field] = { id: parent.id };
      continue;
    }
    const resolved = ctx.index.resolve(field, findEntity(schema.reference!)!, ref);
    if ('error' in resolved) {
      errors[field] = resolved.error;
      delete input[field];
    } else if (parent && resolved.id !== parent.id) {
      errors[field] = `conflicts with the enclosing ${parent.path}`;
      delete input[field];
    } else {
      input[field] = resolved;
      ids[field] = resolved.id;
    }
  }
  return ids;
}

function checkPluginConfig(value: Record<string, unknown>, ctx: BuildContext, errors: FieldErrors): void {
  if ('name' in errors || 'config' in errors) return;
  if (!ctx.validatePluginConfig) {
    if (!isPlainObject(value.config)) errors.config = 'expected a record';
    return;
  }
  const result = ctx.validatePluginConfig(value.name as string, value.config);
  if (result.errors) addErrors(errors, result.errors);
  else value.config = result.value;
}

/**
 * Builds one entity of the file: shorthands expanded, references resolved, its id taken or
 * generated (and indexed for the entities after it), every field validated with defaults
 * filled, its plugin config checked, computed fields completed. Errors come back located.
 */
export function buildEntity(entity: RawEntity, ctx: BuildContext): BuildResult {
  const def = entity.def;
  const input: Record<string, unknown> = { ...entity.input };
  const errors = expandShorthands(def.name, input, ctx);
  const references = resolveReferences(entity, input, ctx, errors);
  if (input.id !== undefined && !isUuid(input.id)) errors.id = 'expected a valid UUID';
  const id = isUuid(input.id) ? input.id.toLowerCase() : declarativeId(def.name, naturalKey(entity, references));
  entity.id = id;
  ctx.index.add(entity, id);
  input.id = id;
  input.created_at ??= 0;
  input.updated_at ??= 0;

  const validated = validateRecord(def.fields, input, { coerce: false }, def.entityChecks);
  for (const [field, error] of Object.entries(validated.errors ?? {})) {
    if (field in errors) continue;
    const unsupported = error === 'unknown field' ? unsupportedField(def.name, field) : undefined;
    errors[field] = unsupported ? `not supported by Tollgate: ${unsupported}` : error;
  }
  const value = validated.value;
  if (def.name === 'plugins') checkPluginConfig(value, ctx, errors);
  if (Object.keys(errors).length === 0) addErrors(errors, completeEntity(def.name, value, ctx));
  if (Object.keys(errors).length === 0) return { value };
  const error: DeclarativeError = {
    entity: def.name,
    path: entity.path,
    id: 'id' in errors ? undefined : id,
    name: entityLabel(def.name, entity.input),
    message: describeErrors(errors),
    fields: errors,
  };
  return { value, error };
}
