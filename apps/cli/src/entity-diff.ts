import { canonicalJson, ENTITIES, type ConfigEntities, type EntityCollection, type EntityDefinition, type FieldSchema } from '@tollgate/config';

export type Entity = Readonly<Record<string, unknown>>;
export type ChangeAction = 'create' | 'update' | 'delete';

export interface EntityChange {
  readonly collection: EntityCollection;
  readonly action: ChangeAction;
  readonly id: string;
  /** The entity the file wants (create, update), its id and references aligned with the control plane's. */
  readonly desired?: Entity;
  /** The entity the control plane has (update, delete). */
  readonly current?: Entity;
  /** Fields whose values differ (update only). */
  readonly fields: readonly string[];
}

/** Set by the server, or never returned by it (password hashes): not comparable. */
const SERVER_FIELDS = new Set(['id', 'created_at', 'updated_at']);

/** Lists of ids that are references without being foreign fields. */
const ID_LIST_FIELDS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  services: { ca_certificates: 'ca_certificates' },
};

type IdMap = Map<string, string>;

/** One collection as plain records, the way the diff reads every entity type alike. */
export function entitiesOf(config: ConfigEntities, collection: EntityCollection): readonly Entity[] {
  return config[collection] as unknown as readonly Entity[];
}

function mapped(ids: IdMap, collection: string, id: string): string {
  return ids.get(`${collection}:${id}`) ?? id;
}

/** The file's references rewritten to the ids of the entities they were matched with. */
function alignReferences(def: EntityDefinition, entity: Entity, ids: IdMap): Entity {
  if (ids.size === 0) return entity;
  const out: Record<string, unknown> = { ...entity };
  for (const [field, schema] of Object.entries(def.fields)) {
    const ref = entity[field] as { id?: unknown } | null | undefined;
    if (schema.type === 'foreign' && ref && typeof ref.id === 'string') out[field] = { id: mapped(ids, schema.reference!, ref.id) };
  }
  for (const [field, target] of Object.entries(ID_LIST_FIELDS[def.name] ?? {})) {
    const list = entity[field];
    if (Array.isArray(list)) out[field] = list.map((id) => (typeof id === 'string' ? mapped(ids, target, id.toLowerCase()) : id));
  }
  return out;
}

/** The field sets an entity is unique by: its unique fields, endpoint key first, then its unique-together sets. */
function naturalKeys(def: EntityDefinition): string[][] {
  const unique = Object.entries(def.fields)
    .filter(([field, schema]) => schema.unique && !SERVER_FIELDS.has(field))
    .map(([field]) => field)
    .sort((a, b) => Number(b === def.endpointKey) - Number(a === def.endpointKey));
  return [...unique.map((field) => [field]), ...def.uniqueTogether.map((set) => [...set])];
}

/** `name=["orders"]`; null when the entity has no value for a single unique field (nulls never collide). */
function keyOf(def: EntityDefinition, entity: Entity, fields: readonly string[]): string | null {
  const parts: string[] = [];
  for (const field of fields) {
    const value = entity[field];
    if (def.fields[field]?.type === 'foreign') parts.push((value as { id?: string } | null)?.id ?? '');
    else if (typeof value === 'string') parts.push(value);
    else return null;
  }
  return fields.length === 1 && parts[0] === '' ? null : `${fields.join(',')}=${JSON.stringify(parts)}`;
}

function normalise(schema: FieldSchema, value: unknown): string {
  if (value === undefined || value === null) return 'null';
  if (schema.type === 'set' && Array.isArray(value)) return canonicalJson(value.map(canonicalJson).sort());
  return canonicalJson(value);
}

/** Fields that differ, ignoring server-set and write-only ones (the export never shows a password hash). */
export function changedFields(def: EntityDefinition, desired: Entity, current: Entity): string[] {
  return Object.entries(def.fields)
    .filter(([field, schema]) => !SERVER_FIELDS.has(field) && !schema.write_only)
    .filter(([field, schema]) => normalise(schema, desired[field]) !== normalise(schema, current[field]))
    .map(([field]) => field);
}

/** Pairs each file entity with a control-plane entity: same id, else same natural key (name, username...). */
function matchCollection(def: EntityDefinition, desired: readonly Entity[], current: readonly Entity[], ids: IdMap): Map<Entity, Entity> {
  const byId = new Map(current.map((e) => [e.id as string, e]));
  const matches = new Map<Entity, Entity>();
  const claimed = new Set<Entity>();
  for (const entity of desired) {
    const found = byId.get(entity.id as string);
    if (found) {
      matches.set(entity, found);
      claimed.add(found);
    }
  }
  const keys = naturalKeys(def);
  const byKey = new Map<string, Entity>();
  for (const entity of current) {
    if (claimed.has(entity)) continue;
    for (const fields of keys) {
      const key = keyOf(def, entity, fields);
      if (key !== null && !byKey.has(key)) byKey.set(key, entity);
    }
  }
  for (const entity of desired) {
    if (matches.has(entity)) continue;
    for (const fields of keys) {
      const key = keyOf(def, entity, fields);
      const found = key === null ? undefined : byKey.get(key);
      if (!found || claimed.has(found)) continue;
      matches.set(entity, found);
      claimed.add(found);
      ids.set(`${def.name}:${entity.id as string}`, found.id as string);
      break;
    }
  }
  return matches;
}

/**
 * What it takes to turn `current` (the control plane) into `desired` (the file): creates and
 * updates parents first, then deletes children first, the order they can be applied in. An
 * entity matches by id, else by a natural key such as its name, in which case it keeps the
 * control plane's id and the file's references to it are rewritten to that id.
 */
export function diffEntities(desired: ConfigEntities, current: ConfigEntities): EntityChange[] {
  const ids: IdMap = new Map();
  const upserts: EntityChange[] = [];
  const deletes: EntityChange[][] = [];
  for (const def of ENTITIES) {
    const collection = def.name as EntityCollection;
    const wanted = entitiesOf(desired, collection).map((e) => alignReferences(def, e, ids));
    const existing = entitiesOf(current, collection);
    const matches = matchCollection(def, wanted, existing, ids);
    for (const entity of wanted) {
      const found = matches.get(entity);
      if (!found) {
        upserts.push({ collection, action: 'create', id: entity.id as string, desired: entity, fields: [] });
        continue;
      }
      const aligned = { ...entity, id: found.id };
      const fields = changedFields(def, aligned, found);
      if (fields.length > 0) upserts.push({ collection, action: 'update', id: found.id as string, desired: aligned, current: found, fields });
    }
    const kept = new Set(matches.values());
    deletes.push(existing.filter((e) => !kept.has(e)).map((e) => ({ collection, action: 'delete', id: e.id as string, current: e, fields: [] })));
  }
  return [...upserts, ...deletes.reverse().flat()];
}
