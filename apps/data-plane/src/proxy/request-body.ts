import type { IncomingMessage } from 'node:http';
import { BodyTooLargeError } from '@tollgate/plugins';

/**
 * A request body a plugin asked to read. Up to `limit` bytes are buffered; past it, reading stops
 * with the bytes read so far kept, so the upstream still gets the whole body: those bytes, then
 * the rest of the stream.
 */
export type BufferedBody = { readonly whole: Buffer } | { readonly head: readonly Buffer[]; readonly tooLarge: BodyTooLargeError };

export function readRequestBody(req: IncomingMessage, limit: number): Promise<BufferedBody> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > limit) return Promise.resolve({ head: [], tooLarge: new BodyTooLargeError(limit) });
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
    };
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size <= limit) return;
      req.pause();
      cleanup();
      resolve({ head: chunks, tooLarge: new BodyTooLargeError(limit) });
    };
    const onEnd = () => {
      cleanup();
      resolve({ whole: Buffer.concat(chunks, size) });
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}

/** The bytes already read, then whatever the client is still sending. */
export async function* resumedBody(head: readonly Buffer[], rest: IncomingMessage): AsyncGenerator<Buffer> {
  for (const chunk of head) yield chunk;
  for await (const chunk of rest) yield chunk as Buffer;
}
