import { canonicalJson, ENTITY_COLLECTIONS, findEntity, isPlainObject, type ConfigEntities } from '@tollgate/config';
import { entitiesOf, type ChangeAction, type Entity, type EntityChange } from './entity-diff';

const SIGNS: Readonly<Record<ChangeAction, string>> = { create: '+', update: '~', delete: '-' };
const SHOWN_VALUE = 60;
/** Fields that name an entity on their own. */
const NAME_FIELDS = ['instance_name', 'name', 'username', 'custom_id'];
/** What an entity without a name of its own is called, before its parent. */
const DESCRIPTIONS: Readonly<Record<string, (e: Entity) => unknown>> = {
  plugins: (e) => e.name,
  targets: (e) => e.target,
  acls: (e) => e.group,
  keyauth_credentials: () => 'key-auth credential',
  jwt_secrets: () => 'jwt credential',
};
/** Foreign fields that place an entity, named after what they point at. */
const SCOPE_FIELDS = ['service', 'route', 'consumer', 'upstream'];

/** Entity id to its name (`orders-api`), for the entities the others are placed under. */
export type EntityNames = ReadonlyMap<string, string>;

export function entityNames(...configs: readonly ConfigEntities[]): EntityNames {
  const names = new Map<string, string>();
  for (const config of configs) {
    for (const collection of ['services', 'routes', 'consumers', 'upstreams'] as const) {
      for (const e of entitiesOf(config, collection)) {
        const field = NAME_FIELDS.find((f) => typeof e[f] === 'string');
        if (field) names.set(e.id as string, e[field] as string);
      }
    }
  }
  return names;
}

/**
 * `orders-api (9748f5b0-...)`; an entity without a name of its own by what it is and where it
 * sits: `rate-limiting on route orders-write (...)`. Never a credential's key or secret.
 */
export function entityLabel(collection: string, entity: Entity, names: EntityNames = new Map()): string {
  const id = entity.id as string;
  const nameField = NAME_FIELDS.find((f) => typeof entity[f] === 'string');
  if (nameField && collection !== 'plugins') return `${entity[nameField] as string} (${id})`;
  const scopes = SCOPE_FIELDS.filter((f) => (entity[f] as { id?: string } | null | undefined)?.id).map((f) => {
    const ref = (entity[f] as { id: string }).id;
    return `${f} ${names.get(ref) ?? ref}`;
  });
  const what = String(DESCRIPTIONS[collection]?.(entity) ?? collection.replace(/s$/, ''));
  if (collection === 'plugins') return `${scopes.length > 0 ? `${what} on ${scopes.join(', ')}` : `global ${what}`} (${id})`;
  return `${what}${scopes.length > 0 ? ` of ${scopes.join(', ')}` : ''} (${id})`;
}

function shownValue(value: unknown): string | null {
  if (value === undefined || value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value.length > SHOWN_VALUE ? `${value.slice(0, SHOWN_VALUE)}...` : value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return null;
}

/** Paths of the leaves that differ between two records: `config.minute`. */
function changedPaths(before: unknown, after: unknown, path: string): string[] {
  if (!isPlainObject(before) || !isPlainObject(after)) return canonicalJson(before ?? null) === canonicalJson(after ?? null) ? [] : [path];
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return keys.flatMap((key) => changedPaths(before[key], after[key], `${path}.${key}`));
}

/**
 * `port: 8080 → 9090` for scalars; inside records (a plugin's config) only the paths, whose
 * values may be secrets no schema here marks; secrets by name only.
 */
function describeField(change: EntityChange, field: string): string {
  if (findEntity(change.collection)?.fields[field]?.encrypted) return `${field} (secret)`;
  const [before, after] = [change.current?.[field], change.desired?.[field]];
  if (isPlainObject(before) && isPlainObject(after)) return changedPaths(before, after, field).join(', ');
  const [shownBefore, shownAfter] = [shownValue(before), shownValue(after)];
  return shownBefore !== null && shownAfter !== null ? `${field}: ${shownBefore} → ${shownAfter}` : field;
}

function describeChange(change: EntityChange, names: EntityNames): string {
  const entity = (change.desired ?? change.current)!;
  const fields = change.action === 'update' ? `: ${change.fields.map((f) => describeField(change, f)).join(', ')}` : '';
  return `  ${SIGNS[change.action]} ${entityLabel(change.collection, entity, names)}${fields}`;
}

export interface ChangeCounts {
  readonly create: number;
  readonly update: number;
  readonly delete: number;
}

export function countChanges(changes: readonly EntityChange[]): ChangeCounts {
  const counts = { create: 0, update: 0, delete: 0 };
  for (const change of changes) counts[change.action]++;
  return counts;
}

/** Per entity type, what would be created (+), updated (~) and deleted (-), in the order of the collections. */
export function formatChanges(changes: readonly EntityChange[], names: EntityNames = new Map()): string[] {
  const lines: string[] = [];
  for (const collection of ENTITY_COLLECTIONS) {
    const own = changes.filter((c) => c.collection === collection);
    if (own.length === 0) continue;
    const counts = countChanges(own);
    const parts = (['create', 'update', 'delete'] as const).filter((a) => counts[a] > 0).map((a) => `${counts[a]} to ${a}`);
    lines.push(`${collection}: ${parts.join(', ')}`);
    for (const action of ['create', 'update', 'delete'] as const) {
      for (const change of own) if (change.action === action) lines.push(describeChange(change, names));
    }
  }
  return lines;
}
