import { Document, isScalar, visit } from 'yaml';
import { ENTITIES, findEntity } from '../entities';
import type { EntityDefinition } from '../entities';
import { isUuid } from '../schema/validate';
import type { ConfigEntities, EntityCollection } from '../snapshot/entity-types';
import { nestedCollections } from './entity-flattener';

type Entity = Record<string, unknown>;
type Ref = { id: string } | null;

/** Where an entity goes: under the one parent it belongs to, or at the top level. */
function parentOf(collection: string, entity: Entity): { collection: string; id: string } | null {
  const scopes = Object.entries(nestedFieldsOf(collection)).filter(([field]) => entity[field]);
  if (scopes.length !== 1) return null;
  const [field, parent] = scopes[0]!;
  return { collection: parent, id: (entity[field] as { id: string }).id };
}

/** Foreign fields of a collection through which it nests, with the parent collection. */
function nestedFieldsOf(collection: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const parent of ENTITIES) {
    const child = nestedCollections(parent.name).get(collection);
    if (child) out[child.field] = parent.name;
  }
  return out;
}

/** Fields left out because reading the file back gives the same value: nulls, zero timestamps, all regions. */
function impliedOnRead(field: string, value: unknown, fallback: unknown): boolean {
  if (value === null) return fallback === undefined;
  if (field === 'created_at' || field === 'updated_at') return value === 0;
  return field === 'regions' && Array.isArray(value) && value.length === 0;
}

class DeclarativeWriter {
  private readonly byId = new Map<string, Entity>();
  private readonly children = new Map<string, Map<string, Entity[]>>();
  private readonly top = new Map<string, Entity[]>();

  constructor(private readonly entities: ConfigEntities) {
    for (const def of ENTITIES) {
      for (const e of this.list(def.name)) this.byId.set(`${def.name}:${e.id}`, e);
    }
    for (const def of ENTITIES) {
      for (const e of this.list(def.name)) this.place(def.name, e);
    }
  }

  document(): Record<string, unknown> {
    const doc: Record<string, unknown> = { _format_version: '3.0', _transform: false };
    for (const def of ENTITIES) {
      const list = this.top.get(def.name);
      if (list?.length) doc[def.name] = list.map((e) => this.record(def, e, null));
    }
    return doc;
  }

  private list(collection: string): Entity[] {
    return this.entities[collection as EntityCollection] as unknown as Entity[];
  }

  private place(collection: string, entity: Entity): void {
    const parent = parentOf(collection, entity);
    let target: Entity[] | undefined;
    if (parent && this.byId.has(`${parent.collection}:${parent.id}`)) {
      const key = `${parent.collection}:${parent.id}`;
      const byCollection = this.children.get(key) ?? new Map<string, Entity[]>();
      this.children.set(key, byCollection);
      target = byCollection.get(collection) ?? [];
      byCollection.set(collection, target);
    } else {
      target = this.top.get(collection) ?? [];
      this.top.set(collection, target);
    }
    target.push(entity);
  }

  /** One entity in schema field order, its nested children after; the enclosing field omitted. */
  private record(def: EntityDefinition, entity: Entity, enclosing: string | null): Entity {
    const out: Entity = {};
    for (const [field, schema] of Object.entries(def.fields)) {
      const value = entity[field];
      if (field === enclosing || value === undefined) continue;
      if (impliedOnRead(field, value, schema.default)) continue;
      out[field] = schema.type === 'foreign' ? this.reference(schema.reference!, value as Ref) : value;
    }
    for (const [collection, list] of this.children.get(`${def.name}:${entity.id}`) ?? []) {
      const child = findEntity(collection)!;
      const field = nestedCollections(def.name).get(collection)!.field;
      out[collection] = list.map((e) => this.record(child, e, field));
    }
    return out;
  }

  /** By name (or username) where the entity has one, else by id. */
  private reference(collection: string, ref: Ref): unknown {
    if (!ref) return null;
    const keyField = findEntity(collection)?.endpointKey;
    const key = keyField ? this.byId.get(`${collection}:${ref.id}`)?.[keyField] : undefined;
    return typeof key === 'string' && !isUuid(key) ? key : { id: ref.id };
  }
}

/**
 * Writes entities as a Kong `_format_version: "3.0"` file: routes under their service,
 * credentials and consumer plugins under their consumer, targets under their upstream, SNIs
 * under their certificate, single-scope plugins under their scope; everything else at the top
 * level, referring by name where there is one. Ids and timestamps are kept, so reading the
 * file back yields the same entities; `_transform: false` as passwords are already hashed.
 */
export function exportDeclarativeConfig(entities: ConfigEntities): string {
  const doc = new Document(new DeclarativeWriter(entities).document(), { aliasDuplicateObjects: false });
  // `methods: [GET, POST]` as people write it, not one line per method.
  visit(doc, {
    Seq(_, node) {
      if (node.items.every((item) => isScalar(item))) node.flow = true;
    },
  });
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}
