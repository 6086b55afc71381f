import { open, type FileHandle } from 'node:fs/promises';
import type { BatchSender } from '../log-queue';

/** Kong opens the file with mode 0644, append-only, creating it (never its directory). */
const MODE = 0o644;

/**
 * Appends each batch to the file as JSON lines. With `reopen` the file is opened and closed
 * around every batch (a rotated file is recreated); without it, one handle is kept, as Kong's
 * file-log keeps its descriptor: entries written after the file was removed are lost with it.
 */
export function fileSender(path: string, reopen: boolean): BatchSender {
  let handle: Promise<FileHandle> | null = null;
  const opened = () => (handle ??= open(path, 'a', MODE).catch((error: unknown) => {
    handle = null;
    throw error;
  }));
  return {
    async send(entries) {
      const text = `${entries.join('\n')}\n`;
      if (reopen) {
        const file = await open(path, 'a', MODE);
        try {
          await file.appendFile(text);
        } finally {
          await file.close();
        }
        return;
      }
      await (await opened()).appendFile(text);
    },
    close() {
      void handle?.then((file) => file.close()).catch(() => undefined);
      handle = null;
    },
  };
}
