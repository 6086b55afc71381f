import type { ConfigEntities, EntityCollection, ForeignKey } from './entity-types';
import { chunkSteps, runSteps, type Steps } from './steps';

/** One reason a config cannot be applied; the Nack carries a list of these. */
export interface ConfigEntityError {
  readonly entity: EntityCollection | string;
  readonly id: string;
  readonly field: string;
  readonly message: string;
}

type Reference = { from: EntityCollection; field: string; to: EntityCollection; required: boolean };

const REFERENCES: readonly Reference[] = [
  { from: 'snis', field: 'certificate', to: 'certificates', required: true },
  { from: 'services', field: 'client_certificate', to: 'certificates', required: false },
  { from: 'routes', field: 'service', to: 'services', required: false },
  { from: 'upstreams', field: 'client_certificate', to: 'certificates', required: false },
  { from: 'targets', field: 'upstream', to: 'upstreams', required: true },
  { from: 'plugins', field: 'route', to: 'routes', required: false },
  { from: 'plugins', field: 'service', to: 'services', required: false },
  { from: 'plugins', field: 'consumer', to: 'consumers', required: false },
  { from: 'keyauth_credentials', field: 'consumer', to: 'consumers', required: true },
  { from: 'basicauth_credentials', field: 'consumer', to: 'consumers', required: true },
  { from: 'jwt_secrets', field: 'consumer', to: 'consumers', required: true },
  { from: 'acls', field: 'consumer', to: 'consumers', required: true },
  { from: 'hmacauth_credentials', field: 'consumer', to: 'consumers', required: true },
  { from: 'subscriptions', field: 'consumer', to: 'consumers', required: true },
  { from: 'subscriptions', field: 'plan', to: 'plans', required: true },
];

/**
 * Every reference resolves: each route's service, each credential's consumer, each target's
 * upstream is present. Checked before a snapshot is published and again before it is applied.
 * `onlyTouching` limits the check to references from or to those collections (a delta that
 * changed routes cannot break a credential's consumer), and `has` answers id lookups from an
 * index the caller already holds instead of building one.
 */
export function checkConsistency(
  entities: ConfigEntities,
  onlyTouching?: ReadonlySet<EntityCollection>,
  has?: (collection: EntityCollection, id: string) => boolean,
): ConfigEntityError[] {
  return runSteps(checkConsistencySteps(entities, onlyTouching, has));
}

function* idsOf(entities: readonly { readonly id: string }[]): Steps<ReadonlySet<string>> {
  const ids = new Set<string>();
  yield* chunkSteps(entities.length, (from, to) => {
    for (let i = from; i < to; i++) ids.add(entities[i]!.id);
  });
  return ids;
}

/** checkConsistency in steps (see Steps). */
export function* checkConsistencySteps(
  entities: ConfigEntities,
  onlyTouching?: ReadonlySet<EntityCollection>,
  has?: (collection: EntityCollection, id: string) => boolean,
): Steps<ConfigEntityError[]> {
  const ids = new Map<EntityCollection, ReadonlySet<string>>();
  const errors: ConfigEntityError[] = [];
  for (const ref of REFERENCES) {
    if (onlyTouching && !onlyTouching.has(ref.from) && !onlyTouching.has(ref.to)) continue;
    if (entities[ref.from].length === 0) continue;
    if (has === undefined && !ids.has(ref.to)) ids.set(ref.to, yield* idsOf(entities[ref.to]));
    const exists = has ?? ((collection: EntityCollection, id: string) => ids.get(collection)!.has(id));
    const list = entities[ref.from];
    yield* chunkSteps(list.length, (from, to) => {
      for (let i = from; i < to; i++) {
        const entity = list[i]!;
        const key = (entity as unknown as Record<string, ForeignKey | null>)[ref.field];
        if (!key) {
          if (ref.required) errors.push({ entity: ref.from, id: entity.id, field: ref.field, message: 'required field missing' });
        } else if (!exists(ref.to, key.id)) {
          errors.push({ entity: ref.from, id: entity.id, field: ref.field, message: `references missing ${ref.to} ${key.id}` });
        }
      }
    });
  }
  return errors;
}
