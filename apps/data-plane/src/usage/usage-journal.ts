import type { UsageBatch } from '@tollgate/usage';
import { mkdir, open, readdir, readFile, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';

const SUFFIX = '.batch';
const NAME = /^(\d{16})\.batch$/;

export interface JournalEntry {
  readonly name: string;
  readonly bytes: number;
}

export interface JournalSize {
  readonly batches: number;
  readonly bytes: number;
}

async function fsyncPath(path: string, flags: 'r' | 'r+'): Promise<void> {
  const handle = await open(path, flags);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Usage batches on disk, oldest first, until Redis has them. One file per batch, written to a
 * temporary name, fsynced and renamed (then the directory fsynced), so a crash leaves each batch
 * either whole or absent. Bounded: when full, new batches are refused (and counted by the caller)
 * rather than older ones evicted, so what is kept is a gap-free prefix of the node's usage.
 * One reporter per directory: node:cluster workers each need their own.
 */
export class UsageJournal {
  private readonly entries: JournalEntry[] = [];
  private bytes = 0;
  private nextNumber = 1;
  /** Appends run one at a time so entries are listed in the order their names sort. */
  private appending: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly dir: string,
    private readonly maxBytes: number,
  ) {}

  /** Opens (creating) the journal directory; batches left by an earlier process are kept, in order. */
  static async open(dir: string, maxBytes: number): Promise<UsageJournal> {
    const journal = new UsageJournal(dir, maxBytes);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const names = (await readdir(dir)).sort();
    for (const name of names) {
      if (name.endsWith('.tmp')) {
        await unlink(join(dir, name)); // a write interrupted before its rename: never acknowledged
        continue;
      }
      const match = NAME.exec(name);
      if (!match) continue;
      const { size } = await stat(join(dir, name));
      journal.entries.push({ name, bytes: size });
      journal.bytes += size;
      journal.nextNumber = Number(match[1]) + 1;
    }
    return journal;
  }

  size(): JournalSize {
    return { batches: this.entries.length, bytes: this.bytes };
  }

  /** Durably appends a batch; false when the journal is full and the batch was not written. */
  append(batch: UsageBatch): Promise<boolean> {
    const result = this.appending.then(() => this.write(batch));
    this.appending = result.catch(() => undefined);
    return result;
  }

  private async write(batch: UsageBatch): Promise<boolean> {
    const body = Buffer.from(JSON.stringify(batch));
    if (this.bytes + body.length > this.maxBytes) return false;
    const name = `${String(this.nextNumber++).padStart(16, '0')}${SUFFIX}`;
    const temp = join(this.dir, `${name}.tmp`);
    const handle = await open(temp, 'w', 0o600);
    try {
      await handle.writeFile(body);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, join(this.dir, name));
    await fsyncPath(this.dir, 'r');
    this.entries.push({ name, bytes: body.length });
    this.bytes += body.length;
    return true;
  }

  oldest(): JournalEntry | null {
    return this.entries[0] ?? null;
  }

  /** The batch in an entry; null when the file is unreadable (then it is set aside as `.corrupt`). */
  async read(entry: JournalEntry): Promise<UsageBatch | null> {
    const text = await readFile(join(this.dir, entry.name), 'utf8');
    try {
      return JSON.parse(text) as UsageBatch;
    } catch {
      await rename(join(this.dir, entry.name), join(this.dir, `${entry.name}.corrupt`)).catch(() => undefined);
      this.forget(entry);
      return null;
    }
  }

  /** Removes the oldest entry once Redis holds its batch. */
  async remove(entry: JournalEntry): Promise<void> {
    await unlink(join(this.dir, entry.name)).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
    this.forget(entry);
  }

  private forget(entry: JournalEntry): void {
    const index = this.entries.indexOf(entry);
    if (index === -1) return;
    this.entries.splice(index, 1);
    this.bytes -= entry.bytes;
  }
}
