import { RequestRefusedError, type PluginResponse } from '@tollgate/plugins';
import { Transform, type Readable, type TransformCallback } from 'node:stream';

/**
 * A request body passed through to the upstream as it arrives, counted: one byte past `maxBytes`
 * it fails with a RequestRefusedError, which cuts the upstream request and tells the exchange what
 * to answer the client. Nothing is buffered beyond the stream's own high-water mark.
 */
class LimitedBody extends Transform {
  private seen = 0;

  constructor(
    private readonly maxBytes: number,
    private readonly refusal: PluginResponse,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.seen += chunk.length;
    if (this.seen > this.maxBytes) return done(new RequestRefusedError(this.refusal));
    done(null, chunk);
  }
}

export function limitedBody(source: Readable | Buffer, maxBytes: number, refusal: PluginResponse): Readable | Buffer {
  if (Buffer.isBuffer(source)) return source; // already read whole by a plugin, and checked by its length
  const limited = new LimitedBody(maxBytes, refusal);
  source.on('error', (error) => limited.destroy(error));
  return source.pipe(limited);
}
