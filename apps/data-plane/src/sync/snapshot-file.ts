import { entityLineBatches, EntityLineReader, type ConfigEntities, type ConfigHash } from '@tollgate/config';
import type { Delta } from '@tollgate/protocol';
import { constants, createReadStream } from 'node:fs';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';

export interface StoredSnapshot {
  readonly version: number;
  readonly hash: string;
  readonly entities: ConfigEntities;
  /** The entities' hash, when computed while reading them (so a 3M-entity load hashes once). */
  readonly computedHash?: ConfigHash;
}

/** A delta as journaled: entity JSON kept as text, so replay hashes exactly what was received. */
export interface StoredDelta {
  readonly from_version: number;
  readonly to_version: number;
  readonly hash: string;
  readonly upserts: readonly { entity: string; id: string; json: string }[];
  readonly deletes: readonly { entity: string; id: string }[];
}

export const SNAPSHOT_FILE = 'config.json';
export const JOURNAL_FILE = 'config.deltas';
/** The header line; a copy written before the entity-line layout was the whole snapshot on one line. */
type DiskHeader = { format?: unknown; version?: unknown; hash?: unknown; entities?: ConfigEntities };

/** The snapshot file's header names its layout: a header line, then one entity per line. */
export const DISK_FORMAT = 'tollgate-entity-lines/1';

async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, constants.O_RDONLY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * The data plane's disk copy of its config, so it serves at once after a restart even with the
 * control plane down: the last full snapshot, plus a journal of the deltas applied since, so a
 * one-route change costs a one-line append rather than rewriting 30 MB.
 *
 * The snapshot is written to a temp file, fsynced, then renamed over the old one: a crash leaves
 * the old copy or the new one, never half of either. A journal line torn by a crash is the last
 * one, and is dropped on load. Mode 0600: both hold credentials.
 */
export class SnapshotFile {
  private journalEntries = 0;
  private journalBytes = 0;

  constructor(private readonly prefix: string) {}

  get path(): string {
    return join(this.prefix, SNAPSHOT_FILE);
  }

  get journalPath(): string {
    return join(this.prefix, JOURNAL_FILE);
  }

  /** Deltas journaled since the last full snapshot; the client compacts past a bound. */
  get journalSize(): { entries: number; bytes: number } {
    return { entries: this.journalEntries, bytes: this.journalBytes };
  }

  async save(snapshot: StoredSnapshot): Promise<void> {
    await mkdir(this.prefix, { recursive: true, mode: 0o700 });
    const temp = `${this.path}.${process.pid}.tmp`;
    const handle = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC, 0o600);
    try {
      // A header line, then the entities a line each, written batch by batch: no one string of it all.
      await handle.write(`${JSON.stringify({ format: DISK_FORMAT, version: snapshot.version, hash: snapshot.hash })}\n`);
      for (const batch of entityLineBatches(snapshot.entities)) await handle.write(batch);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, this.path);
    await rm(this.journalPath, { force: true });
    await syncDir(dirname(this.path));
    this.journalEntries = 0;
    this.journalBytes = 0;
  }

  async appendDelta(delta: Delta): Promise<void> {
    const stored: StoredDelta = {
      from_version: delta.from_version,
      to_version: delta.to_version,
      hash: delta.hash,
      upserts: delta.upserts.map((u) => ({ entity: u.entity, id: u.id, json: Buffer.from(u.json).toString('utf8') })),
      deletes: delta.deletes.map((d) => ({ entity: d.entity, id: d.id })),
    };
    const line = `${JSON.stringify(stored)}\n`;
    const handle = await open(this.journalPath, constants.O_WRONLY | constants.O_CREAT | constants.O_APPEND, 0o600);
    try {
      await handle.writeFile(line);
      await handle.sync();
    } finally {
      await handle.close();
    }
    this.journalEntries++;
    this.journalBytes += line.length;
  }

  /** The stored snapshot and the deltas to replay on it, or null when there is none. */
  async load(): Promise<{ snapshot: StoredSnapshot; deltas: StoredDelta[] } | null> {
    const snapshot = await this.readSnapshot();
    if (snapshot === null) return null;
    const deltas = await this.readJournal();
    this.journalEntries = deltas.length;
    return { snapshot, deltas };
  }

  /** Reads the snapshot file as a stream of entity lines after its header line. */
  private async readSnapshot(): Promise<StoredSnapshot | null> {
    const reader = new EntityLineReader();
    let header = null as DiskHeader | null;
    let pending = '';
    try {
      for await (const piece of createReadStream(this.path, { encoding: 'utf8', highWaterMark: 1024 * 1024 })) {
        if (header !== null) {
          reader.push(piece as string);
          continue;
        }
        pending += piece as string;
        const end = pending.indexOf('\n');
        if (end < 0) continue;
        header = JSON.parse(pending.slice(0, end)) as DiskHeader;
        reader.push(pending.slice(end + 1));
        pending = '';
      }
      // A copy of the older layout is one line with no newline after it.
      if (header === null && pending.length > 0) header = JSON.parse(pending) as DiskHeader;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new Error(`${this.path}: not a valid config snapshot (${(err as Error).message})`);
    }
    if (header?.format === undefined && typeof header?.entities === 'object' && typeof header.version === 'number' && typeof header.hash === 'string') {
      return { version: header.version, hash: header.hash, entities: header.entities };
    }
    if (header === null || header.format !== DISK_FORMAT || typeof header.version !== 'number' || typeof header.hash !== 'string') {
      throw new Error(`${this.path}: not a valid config snapshot (no '${DISK_FORMAT}' header line with version and hash)`);
    }
    let entities: ConfigEntities;
    try {
      entities = reader.finish();
    } catch (err) {
      throw new Error(`${this.path}: not a valid config snapshot (${(err as Error).message})`);
    }
    return { version: header.version, hash: header.hash, entities, computedHash: reader.hash };
  }

  private async readJournal(): Promise<StoredDelta[]> {
    let text: string;
    try {
      text = await readFile(this.journalPath, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    this.journalBytes = text.length;
    const deltas: StoredDelta[] = [];
    for (const line of text.split('\n')) {
      if (line.length === 0) continue;
      try {
        deltas.push(JSON.parse(line) as StoredDelta);
      } catch {
        break; // a line torn by a crash mid-append: everything before it is good
      }
    }
    return deltas;
  }
}
