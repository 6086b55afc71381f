import { ConfigHash, ENTITY_COLLECTIONS, type ConfigEntities, type EntityCollection } from '@tollgate/config';
import type { Delta } from '@tollgate/protocol';

type Entity = { readonly id: string };
type Collections = Map<EntityCollection, Map<string, Entity>>;

const COLLECTIONS = new Set<string>(ENTITY_COLLECTIONS);

export class DeltaError extends Error {}

/**
 * The config a data plane holds, indexed by id so a delta touches only what changed, with its
 * hash kept up to date incrementally. Immutable: applying a delta returns a new SyncedConfig
 * that shares every untouched collection with this one.
 */
export class SyncedConfig {
  private constructor(
    readonly version: number,
    private readonly collections: Collections,
    private readonly hasher: ConfigHash,
    /** Arrays handed to the runtime, shared with the previous config for untouched collections. */
    private readonly arrays: Map<EntityCollection, readonly Entity[]> = new Map(),
  ) {}

  static of(version: number, entities: ConfigEntities): SyncedConfig {
    const collections: Collections = new Map();
    for (const c of ENTITY_COLLECTIONS) collections.set(c, new Map(((entities[c] ?? []) as readonly Entity[]).map((e) => [e.id, e])));
    return new SyncedConfig(version, collections, ConfigHash.of(entities));
  }

  get hash(): string {
    return this.hasher.hex();
  }

  entities(): ConfigEntities {
    const out: Record<string, readonly Entity[]> = {};
    for (const [c, map] of this.collections) {
      let array = this.arrays.get(c);
      if (!array) this.arrays.set(c, (array = [...map.values()]));
      out[c] = array;
    }
    return out as unknown as ConfigEntities;
  }

  /**
   * Applies a delta; throws DeltaError when it does not start here or does not land on its hash.
   * `changed` names the collections it touched, so the runtime rebuilds only those.
   */
  applyDelta(delta: Delta): { config: SyncedConfig; changed: ReadonlySet<EntityCollection> } {
    if (delta.from_version !== this.version) {
      throw new DeltaError(`delta starts at version ${delta.from_version}, this data plane is at ${this.version}`);
    }
    const collections: Collections = new Map(this.collections);
    const next = this.hasher.clone();
    const changed = new Set<EntityCollection>();
    const writable = (c: EntityCollection) => {
      changed.add(c);
      const current = collections.get(c)!;
      if (current === this.collections.get(c)) collections.set(c, new Map(current));
      return collections.get(c)!;
    };
    for (const ref of delta.deletes) {
      if (!COLLECTIONS.has(ref.entity)) continue;
      const map = writable(ref.entity as EntityCollection);
      const old = map.get(ref.id);
      if (old) {
        next.remove(ref.entity as EntityCollection, old);
        map.delete(ref.id);
      }
    }
    for (const upsert of delta.upserts) {
      if (!COLLECTIONS.has(upsert.entity)) throw new DeltaError(`unknown entity type '${upsert.entity}' in delta`);
      const entity = JSON.parse(upsert.json.toString('utf8')) as Entity;
      const map = writable(upsert.entity as EntityCollection);
      const old = map.get(upsert.id);
      if (old) next.remove(upsert.entity as EntityCollection, old);
      next.add(upsert.entity as EntityCollection, entity);
      map.set(upsert.id, entity);
    }
    if (next.hex() !== delta.hash) {
      throw new DeltaError(`config hash after delta ${delta.from_version}->${delta.to_version} is ${next.hex()}, expected ${delta.hash}`);
    }
    const arrays = new Map([...this.arrays].filter(([c]) => !changed.has(c)));
    return { config: new SyncedConfig(delta.to_version, collections, next, arrays), changed };
  }
}
