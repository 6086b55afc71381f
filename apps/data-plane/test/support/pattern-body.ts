import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';

const CHUNK = Buffer.alloc(256 * 1024, 'tollgate');

/** `bytes` of a repeating pattern, produced on demand (never held whole). */
export function patternStream(bytes: number): Readable {
  let left = bytes;
  return new Readable({
    read() {
      if (left <= 0) return void this.push(null);
      const size = Math.min(left, CHUNK.length);
      left -= size;
      this.push(size === CHUNK.length ? CHUNK : CHUNK.subarray(0, size));
    },
  });
}

/** The sha256 of patternStream(bytes), computed without holding it. */
export function patternHash(bytes: number): string {
  const hash = createHash('sha256');
  for (let left = bytes; left > 0; left -= CHUNK.length) hash.update(left >= CHUNK.length ? CHUNK : CHUNK.subarray(0, left));
  return hash.digest('hex');
}
