import pino from 'pino';
import { Writable } from 'node:stream';
import type { Logger } from '../../src/logger';

/** A pino logger writing JSON lines into memory, to assert on what the data plane logged. */
export function memoryLogger(level = 'warn'): { logger: Logger; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  });
  const logger = pino({ level }, sink);
  const lines = () =>
    chunks
      .join('')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { logger, lines };
}
