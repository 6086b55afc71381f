import { EntityLineReader, type ConfigEntities, type ConfigHash } from '@tollgate/config';
import type { SnapshotChunk } from '@tollgate/protocol';
import { gunzipSync } from 'node:zlib';

/**
 * Decodes a snapshot chunk by chunk as they arrive: each chunk is one gzip member of whole entity
 * lines, read into the config (and its hash) at once, so the snapshot never exists here as one
 * buffer or one string. Yields the entities and the hash of what was received when the last
 * chunk arrives.
 */
export class SnapshotAssembler {
  private version = -1;
  private next = 0;
  private reader = new EntityLineReader();

  /** Returns the decoded snapshot once complete, else null. Throws on a malformed snapshot. */
  add(chunk: SnapshotChunk): { version: number; hash: string; received: ConfigHash; entities: ConfigEntities } | null {
    if (chunk.version !== this.version || chunk.index === 0) this.restart(chunk.version);
    if (chunk.index !== this.next) {
      this.restart(-1);
      throw new Error(`snapshot ${chunk.version}: chunk ${chunk.index} arrived out of order`);
    }
    try {
      this.reader.push(gunzipSync(chunk.data).toString('utf8'));
    } catch (err) {
      this.restart(-1);
      throw new Error(`snapshot ${chunk.version}: chunk ${chunk.index} of ${chunk.count}: ${(err as Error).message}`);
    }
    if (++this.next < chunk.count) return null;
    const reader = this.reader;
    this.restart(-1);
    return { version: chunk.version, hash: chunk.hash, received: reader.hash, entities: reader.finish() };
  }

  private restart(version: number): void {
    this.version = version;
    this.next = 0;
    this.reader = new EntityLineReader();
  }
}
