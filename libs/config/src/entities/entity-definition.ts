import type { EntityCheck, FieldMap, FieldSchema } from '../schema/field';

export interface EntityDefinition<F extends FieldMap = FieldMap> {
  /** Collection name, also the Postgres table and the declarative-config key: `keyauth_credentials`. */
  readonly name: string;
  /** Admin API collection path: `key-auths`. */
  readonly adminPath: string;
  /** Segment when nested under a parent: `/consumers/{c}/key-auth`. */
  readonly nestedPath: string;
  /** Alternative key usable in URLs and foreign references besides the id: `name`, `username`, `key`. */
  readonly endpointKey?: string;
  /** Its fields; the type keeps their names, so tests can compare a definition with its TypeScript interface. */
  readonly fields: F;
  readonly entityChecks: readonly EntityCheck[];
  /** Field sets unique together (nulls equal): plugins on the same scope, acls per consumer. */
  readonly uniqueTogether: readonly (readonly string[])[];
  /** Served at the top level (`/key-auths`); targets exist only under their upstream. */
  readonly topLevel: boolean;
  /** Sent to data planes in snapshots. */
  readonly dataPlane: boolean;
  /** Has a `regions` field scoping it to some data-plane regions (empty = all). */
  readonly regional: boolean;
}

export interface EntitySpec<F extends FieldMap = FieldMap> {
  readonly name: string;
  readonly adminPath?: string;
  readonly nestedPath?: string;
  readonly endpointKey?: string;
  readonly fields: F;
  readonly entityChecks?: readonly EntityCheck[];
  readonly uniqueTogether?: readonly (readonly string[])[];
  readonly topLevel?: boolean;
  readonly dataPlane?: boolean;
  readonly regional?: boolean;
}

const id: FieldSchema = { type: 'string', auto: true, immutable: true, description: 'UUID, generated when absent' };
const timestamp = (what: string): FieldSchema => ({ type: 'integer', auto: true, description: `Unix time in seconds when the entity was ${what}` });

export const TAGS_FIELD: FieldSchema = {
  type: 'set',
  elements: { type: 'string', check: 'tag', len_max: 128 },
  len_max: 64,
  nullable: true,
  description: 'Free-form tags for filtering (?tags=a,b for all of, a/b for any of)',
};

export const REGIONS_FIELD: FieldSchema = {
  type: 'set',
  elements: { type: 'string', check: 'region' },
  default: [],
  description: 'Data-plane regions this entity is sent to; empty means every region',
};

/** The fields every entity has; `regions` too when it is regional. */
type CommonFields<R extends boolean | undefined> = { id: FieldSchema; created_at: FieldSchema; updated_at: FieldSchema; tags: FieldSchema } & (R extends true
  ? { regions: FieldSchema }
  : unknown);

/** Adds the fields every entity has (id, timestamps, tags, and regions for regional ones). */
export function defineEntity<F extends FieldMap, R extends boolean | undefined = undefined>(
  spec: EntitySpec<F> & { readonly regional?: R },
): EntityDefinition<CommonFields<R> & F> {
  const regional = spec.regional ?? false;
  return Object.freeze<EntityDefinition<CommonFields<R> & F>>({
    name: spec.name,
    adminPath: spec.adminPath ?? spec.name,
    nestedPath: spec.nestedPath ?? spec.adminPath ?? spec.name,
    endpointKey: spec.endpointKey,
    fields: Object.freeze({
      id,
      created_at: timestamp('created'),
      updated_at: timestamp('last updated'),
      ...spec.fields,
      tags: TAGS_FIELD,
      ...(regional ? { regions: REGIONS_FIELD } : {}),
      // The runtime check above decides whether `regions` is there; the type follows `R`.
    }) as unknown as CommonFields<R> & F,
    entityChecks: spec.entityChecks ?? [],
    uniqueTogether: spec.uniqueTogether ?? [],
    topLevel: spec.topLevel ?? true,
    dataPlane: spec.dataPlane ?? true,
    regional,
  });
}

/** Foreign-key fields of an entity, in declaration order. */
export function foreignFields(def: EntityDefinition): [string, FieldSchema][] {
  return Object.entries(def.fields).filter(([, f]) => f.type === 'foreign');
}
