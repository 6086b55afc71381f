import type { EntityDefinition } from '../entities';
import type { DeclarativeError } from './declarative-error';
import { entityLabel } from './declarative-error';
import type { RawEntity } from './entity-flattener';

export interface BuiltEntity {
  readonly raw: RawEntity;
  readonly value: Record<string, unknown>;
}

function constraints(def: EntityDefinition): (readonly string[])[] {
  const single = Object.entries(def.fields)
    .filter(([, schema]) => schema.unique)
    .map(([name]) => [name]);
  return [...def.uniqueTogether, ...single, ['id']];
}

function keyPart(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object' && 'id' in value) return String(value.id);
  return String(value);
}

function shown(def: EntityDefinition, fields: readonly string[], value: Record<string, unknown>): string {
  if (fields.some((f) => def.fields[f]?.encrypted)) return '';
  const parts = fields.map((f) => (value[f] === null ? 'null' : `'${keyPart(value[f])}'`));
  return ` set to ${parts.join(', ')}`;
}

/**
 * Kong's uniqueness rules over the whole file: unique fields (name, username, key...), the
 * field sets unique together (a plugin per name and scope, a target per upstream) and ids.
 * One error per entity, naming where the first one was declared; secrets are not echoed.
 */
export function checkUniqueness(def: EntityDefinition, entities: readonly BuiltEntity[]): DeclarativeError[] {
  const errors: DeclarativeError[] = [];
  const seen = constraints(def).map((fields) => ({ fields, first: new Map<string, RawEntity>() }));
  for (const { raw, value } of entities) {
    for (const { fields, first } of seen) {
      // Nulls are equal in a set of fields unique together, and never clash in a single field.
      if (fields.length === 1 && (value[fields[0]!] === null || value[fields[0]!] === undefined)) continue;
      const key = fields.map((f) => keyPart(value[f])).join('\u0000');
      const earlier = first.get(key);
      if (!earlier) {
        first.set(key, raw);
        continue;
      }
      errors.push({
        entity: def.name,
        path: raw.path,
        id: value.id as string,
        name: entityLabel(def.name, raw.input),
        message: `uniqueness violation: '${def.name}' entity with ${fields.join(', ')}${shown(def, fields, value)} already declared at ${earlier.path}`,
      });
      break;
    }
  }
  return errors;
}
