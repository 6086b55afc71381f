import { ConfigHash, ENTITY_COLLECTIONS, entityLineBatches, type ConfigEntities, type EntityCollection } from '@tollgate/config';
import { gzipSync } from 'node:zlib';
import type { ConfigState, Entity } from './config-state';
import { filterForRegion, withDependents } from './region-filter';

/** What differs between two snapshots of a region: entities to upsert and ids to delete. */
export interface SnapshotDiff {
  readonly upserts: { collection: EntityCollection; entity: Entity }[];
  readonly deletes: { collection: EntityCollection; id: string }[];
}

/**
 * One region's config at one version, built once and shared by every data plane of the region:
 * the entities, an index by id, its hash, and (on first use) its encoded chunks. Derived from
 * the previous snapshot, its hash costs O(change): entities are compared by identity, which
 * ConfigState preserves for everything untouched.
 */
export class RegionSnapshot {
  readonly pluginsUsed: ReadonlySet<string>;
  private chunks?: Buffer[];
  private hashHex?: string;

  private constructor(
    readonly region: string,
    readonly version: number,
    readonly entities: ConfigEntities,
    private readonly hasher: ConfigHash,
    private readonly index: ReadonlyMap<EntityCollection, ReadonlyMap<string, Entity>>,
    /** Collections that may differ from the snapshot this one was derived from. */
    readonly dirty: ReadonlySet<EntityCollection>,
  ) {
    this.pluginsUsed = new Set(entities.plugins.map((p) => p.name));
  }

  /**
   * The region's snapshot of `state`. From the snapshot of the version `state` was advanced
   * from, only the changed collections (and those depending on them) are filtered, indexed,
   * diffed and re-checked; the rest are shared, so a one-route write on a config of 100,000
   * credentials never walks the credentials.
   */
  static derive(state: ConfigState, region: string, previous: RegionSnapshot | null): RegionSnapshot {
    const incremental = previous !== null && state.changed !== null && state.previousVersion === previous.version;
    const dirty = incremental ? withDependents(state.changed!) : new Set(ENTITY_COLLECTIONS);
    const raw: Record<string, readonly Entity[]> = {};
    for (const c of ENTITY_COLLECTIONS) {
      raw[c] = dirty.has(c) ? [...state.collections.get(c)!.values()] : (previous!.entities[c] as unknown as readonly Entity[]);
    }
    const entities = filterForRegion(raw as unknown as ConfigEntities, region, dirty);
    const index = new Map<EntityCollection, ReadonlyMap<string, Entity>>();
    for (const c of ENTITY_COLLECTIONS) {
      index.set(c, dirty.has(c) ? new Map((entities[c] as unknown as readonly Entity[]).map((e) => [e.id, e])) : previous!.index.get(c)!);
    }
    const snapshot = new RegionSnapshot(region, state.version, entities, previous?.hasher.clone() ?? new ConfigHash(), index, dirty);
    if (previous) snapshot.applyDiff(previous, diffIndexes(previous.index, index, dirty));
    else for (const c of ENTITY_COLLECTIONS) for (const e of entities[c] as unknown as readonly Entity[]) snapshot.hasher.add(c, e);
    return snapshot;
  }

  private applyDiff(previous: RegionSnapshot, diff: SnapshotDiff): void {
    for (const { collection, id } of diff.deletes) this.hasher.remove(collection, previous.find(collection, id));
    for (const { collection, entity } of diff.upserts) {
      const old = previous.find(collection, entity.id);
      if (old) this.hasher.remove(collection, old);
      this.hasher.add(collection, entity);
    }
  }

  /** Whether an entity exists here: the consistency check's lookups go through the index. */
  has(collection: EntityCollection, id: string): boolean {
    return this.index.get(collection)!.has(id);
  }

  get hash(): string {
    return (this.hashHex ??= this.hasher.hex());
  }

  find(collection: EntityCollection, id: string): Entity | undefined {
    return this.index.get(collection)?.get(id);
  }

  /** The changes that take a data plane from `older` to this snapshot. */
  diffFrom(older: RegionSnapshot): SnapshotDiff {
    return diffIndexes(older.index, this.index);
  }

  /**
   * The entities as chunks, each one gzip member of whole entity lines (see entityLineBatches),
   * so each is decoded on its own as it arrives and no step holds the config as one string:
   * one JSON.stringify of 1M consumers with 2M keys threw `RangeError: Invalid string length`.
   * A chunk holds ~2 M characters, well under the data plane's 16 MB message limit.
   */
  encodedChunks(): Buffer[] {
    this.chunks ??= [...entityLineBatches(this.entities)].map((batch) => gzipSync(Buffer.from(batch), { level: 1 }));
    return this.chunks;
  }

  get encodedBytes(): number {
    return this.encodedChunks().reduce((sum, chunk) => sum + chunk.length, 0);
  }
}

type Index = ReadonlyMap<EntityCollection, ReadonlyMap<string, Entity>>;

function diffIndexes(before: Index, after: Index, only: ReadonlySet<EntityCollection> = new Set(ENTITY_COLLECTIONS)): SnapshotDiff {
  const diff: SnapshotDiff = { upserts: [], deletes: [] };
  for (const collection of only) {
    const old = before.get(collection)!;
    const now = after.get(collection)!;
    if (old === now) continue;
    for (const [id, entity] of now) if (old.get(id) !== entity) diff.upserts.push({ collection, entity });
    for (const id of old.keys()) if (!now.has(id)) diff.deletes.push({ collection, id });
  }
  return diff;
}
