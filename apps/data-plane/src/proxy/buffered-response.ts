import type { ServerResponse } from 'node:http';
import { runResponseBodyPhase } from '../pipeline/plugin-pipeline';
import { removeHeader } from './header-list';
import type { RequestContext } from './request-context';

const CONTENT_LENGTH = 'Content-Length';

/** Past this, a body a plugin asked for streams on untouched: memory per request stays bounded. */
export const RESPONSE_BODY_LIMIT = 16 * 1024 * 1024;

/**
 * An upstream response held back until its whole body arrived, because a response-phase plugin
 * asked for it (the transformers, the cache): the response-body phase runs on it, then the head
 * goes out with the final Content-Length. Only requests whose plugins ask pay for this.
 */
export class BufferedResponse {
  private chunks: Buffer[] = [];
  private size = 0;
  /** Gave up buffering (too large): chunks go straight to the client from now on. */
  private streaming = false;

  constructor(
    private readonly ctx: RequestContext,
    private readonly res: ServerResponse,
    private readonly status: number,
    private readonly statusText: string,
    private readonly headers: string[],
  ) {}

  /** Returns false when the client's socket wants the upstream to pause (streaming mode only). */
  push(chunk: Buffer): boolean {
    if (this.streaming) return this.res.write(chunk);
    this.chunks.push(chunk);
    this.size += chunk.length;
    if (this.size <= RESPONSE_BODY_LIMIT) return true;
    this.streaming = true;
    this.writeHead();
    let flowing = true;
    for (const held of this.chunks) flowing = this.res.write(held);
    this.chunks = [];
    return flowing;
  }

  finish(): void {
    if (this.streaming) return void this.res.end();
    const original = Buffer.concat(this.chunks, this.size);
    this.chunks = [];
    const body = runResponseBodyPhase(this.ctx, this.ctx.plan!.chain.responseBody, original);
    if (body !== original) {
      removeHeader(this.headers, CONTENT_LENGTH);
      this.headers.push(CONTENT_LENGTH, String(body.length));
    }
    this.writeHead();
    this.res.end(body);
  }

  private writeHead(): void {
    try {
      if (this.statusText) this.res.writeHead(this.status, this.statusText, this.headers);
      else this.res.writeHead(this.status, this.headers);
    } catch {
      this.res.destroy(); // a header node refuses to write (a plugin's or the upstream's)
    }
  }
}
