import type { ConfigEntities } from '@tollgate/config';
import { constants } from 'node:fs';
import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { dirname, join } from 'node:path';

export interface StoredSnapshot {
  readonly version: number;
  readonly hash: string;
  readonly entities: ConfigEntities;
}

export const SNAPSHOT_FILE = 'config.json';

/**
 * The data plane's disk copy of its last applied config, so it serves at once after a restart
 * even with the control plane down. Written to a temp file, fsynced, then renamed over the old
 * one: a crash leaves the old copy or the new one, never half of either. Mode 0600: it holds
 * credentials.
 */
export class SnapshotFile {
  constructor(private readonly prefix: string) {}

  get path(): string {
    return join(this.prefix, SNAPSHOT_FILE);
  }

  async save(snapshot: StoredSnapshot): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
    const temp = `${this.path}.${process.pid}.tmp`;
    const handle = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC, 0o600);
    try {
      await handle.writeFile(JSON.stringify(snapshot));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, this.path);
    const dir = await open(dirname(this.path), constants.O_RDONLY);
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  }

  /** The stored snapshot, or null when there is none; a corrupt file is an error naming it. */
  async load(): Promise<StoredSnapshot | null> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
    let parsed: StoredSnapshot;
    try {
      parsed = JSON.parse(text) as StoredSnapshot;
    } catch (err) {
      throw new Error(`${this.path}: not a valid config snapshot (${(err as Error).message})`);
    }
    if (typeof parsed.version !== 'number' || typeof parsed.hash !== 'string' || typeof parsed.entities !== 'object') {
      throw new Error(`${this.path}: not a valid config snapshot (missing version, hash or entities)`);
    }
    return parsed;
  }
}
