import { ConfigHash, ENTITY_COLLECTIONS, type ConfigEntities, type EntityCollection } from '@tollgate/config';
import { gzipSync } from 'node:zlib';

export const SNAPSHOT_CHUNK_BYTES = 1024 * 1024;

type Entity = { readonly id: string };

/**
 * One region's config at one version, built once and shared by every data plane of the region:
 * the entities, an index by id for deltas, its hash, and (on first use) its encoded chunks.
 */
export class RegionSnapshot {
  readonly hash: string;
  readonly pluginsUsed: ReadonlySet<string>;
  private readonly index = new Map<EntityCollection, Map<string, Entity>>();
  private chunks?: Buffer[];

  constructor(
    readonly region: string,
    readonly version: number,
    readonly entities: ConfigEntities,
  ) {
    this.hash = ConfigHash.of(entities).hex();
    this.pluginsUsed = new Set(entities.plugins.map((p) => p.name));
    for (const collection of ENTITY_COLLECTIONS) {
      this.index.set(collection, new Map((entities[collection] as readonly Entity[]).map((e) => [e.id, e])));
    }
  }

  find(collection: EntityCollection, id: string): Entity | undefined {
    return this.index.get(collection)?.get(id);
  }

  /** gzip of the entities' JSON, split into chunks no gRPC message limit can refuse. */
  encodedChunks(): Buffer[] {
    if (!this.chunks) {
      const encoded = gzipSync(Buffer.from(JSON.stringify(this.entities)), { level: 1 });
      this.chunks = [];
      for (let offset = 0; offset < encoded.length || this.chunks.length === 0; offset += SNAPSHOT_CHUNK_BYTES) {
        this.chunks.push(encoded.subarray(offset, offset + SNAPSHOT_CHUNK_BYTES));
      }
    }
    return this.chunks;
  }

  get encodedBytes(): number {
    return this.encodedChunks().reduce((sum, chunk) => sum + chunk.length, 0);
  }
}
