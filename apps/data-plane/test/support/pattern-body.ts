import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { Readable } from 'node:stream';
import type { Echo } from './echo-upstream';

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

/**
 * POSTs patternStream(bytes) to `url` (an echo upstream's, through the proxy) and resolves with the
 * echo; `onSent` runs when the client has produced its last byte.
 */
export function postPattern(url: string, bytes: number, onSent?: () => void): Promise<Echo> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'POST', agent: false }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve(JSON.parse(body) as Echo));
    });
    req.on('error', reject);
    const body = patternStream(bytes);
    if (onSent !== undefined) body.once('end', onSent);
    body.pipe(req);
  });
}
