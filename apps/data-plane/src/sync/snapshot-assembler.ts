import type { ConfigEntities } from '@tollgate/config';
import type { SnapshotChunk } from '@tollgate/protocol';
import { gunzipSync } from 'node:zlib';

/** Collects the chunks of one snapshot; yields its entities when the last one arrives. */
export class SnapshotAssembler {
  private version = -1;
  private chunks: Buffer[] = [];

  /** Returns the decoded snapshot once complete, else null. Throws on a malformed snapshot. */
  add(chunk: SnapshotChunk): { version: number; hash: string; entities: ConfigEntities } | null {
    if (chunk.version !== this.version || chunk.index === 0) {
      this.version = chunk.version;
      this.chunks = [];
    }
    if (chunk.index !== this.chunks.length) {
      this.chunks = [];
      throw new Error(`snapshot ${chunk.version}: chunk ${chunk.index} arrived out of order`);
    }
    this.chunks.push(Buffer.from(chunk.data));
    if (this.chunks.length < chunk.count) return null;
    const encoded = Buffer.concat(this.chunks);
    this.chunks = [];
    const entities = JSON.parse(gunzipSync(encoded).toString('utf8')) as ConfigEntities;
    return { version: chunk.version, hash: chunk.hash, entities };
  }
}
