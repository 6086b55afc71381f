import { ENTITIES, foreignFields } from '../entities';
import type { EntityDefinition } from '../entities';
import { isPlainObject } from '../schema/validate';
import type { DeclarativeError } from './declarative-error';

/** One entity as written in the file, lifted out of its nesting. */
export interface RawEntity {
  readonly def: EntityDefinition;
  /** `services[0].routes[1]` */
  readonly path: string;
  /** Position in the array it was written in. */
  readonly index: number;
  /** Its own fields; nested child arrays are removed. */
  readonly input: Readonly<Record<string, unknown>>;
  /** Set when nested: the enclosing entity and the foreign field that points at it. */
  readonly parent?: { readonly field: string; readonly entity: RawEntity };
  /** Assigned while the config is built, parents before children. */
  id?: string;
}

interface NestedCollection {
  readonly def: EntityDefinition;
  readonly field: string;
}

/**
 * Which collections nest under which parent, derived from the schemas as Kong does: a child
 * nests under every entity its foreign keys reference, unless the key says `nested: false`.
 */
const NESTING: ReadonlyMap<string, ReadonlyMap<string, NestedCollection>> = new Map(
  ENTITIES.map((parent) => {
    const children = new Map<string, NestedCollection>();
    for (const child of ENTITIES) {
      for (const [field, schema] of foreignFields(child)) {
        if (schema.reference === parent.name && schema.nested !== false) children.set(child.name, { def: child, field });
      }
    }
    return [parent.name, children];
  }),
);

export function nestedCollections(parent: string): ReadonlyMap<string, NestedCollection> {
  return NESTING.get(parent) ?? new Map();
}

/** Every entity of the file, in file order (depth first), each with its path. */
export function flattenEntities(
  collections: readonly (readonly [EntityDefinition, unknown])[],
  errors: DeclarativeError[],
): RawEntity[] {
  const out: RawEntity[] = [];
  for (const [def, list] of collections) walk(def, list, def.name, undefined, out, errors);
  return out;
}

function walk(
  def: EntityDefinition,
  list: unknown,
  path: string,
  parent: RawEntity['parent'],
  out: RawEntity[],
  errors: DeclarativeError[],
): void {
  if (!Array.isArray(list)) {
    errors.push({ entity: def.name, path, message: `expected an array of ${def.name}` });
    return;
  }
  list.forEach((item: unknown, index) => {
    const at = `${path}[${index}]`;
    // Kong lets a certificate list its SNIs as plain names.
    const record = def.name === 'snis' && parent && typeof item === 'string' ? { name: item } : item;
    if (!isPlainObject(record)) {
      errors.push({ entity: def.name, path: at, message: 'expected a record' });
      return;
    }
    const input: Record<string, unknown> = { ...record };
    const raw: RawEntity = { def, path: at, index, input, parent };
    out.push(raw);
    for (const [key, child] of nestedCollections(def.name)) {
      if (!(key in input)) continue;
      const nested = input[key];
      delete input[key];
      walk(child.def, nested, `${at}.${key}`, { field: child.field, entity: raw }, out, errors);
    }
  });
}
