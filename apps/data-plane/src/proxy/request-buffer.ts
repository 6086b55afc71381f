import { createReadStream, createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { open, unlink } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { sendGatewayError } from './client-responses';
import { GATEWAY_ERRORS } from './gateway-errors';
import type { ProxyResponse } from './proxy-response';
import type { RequestContext } from './request-context';
import type { UpstreamExchange } from './upstream-exchange';

const CONTENT_LENGTH = 'content-length';

/**
 * Bounds of request_buffering (memory up to `memoryBytes`, then a temp file in `tempDir`) and of
 * response_buffering (`responseBytes` unsent to a slow client in memory, then a temp file).
 */
export interface BodyBuffering {
  readonly memoryBytes: number;
  /** `<prefix>/tmp`: created on the first body that needs it. */
  readonly tempDir: string;
  readonly responseBytes: number;
}

/** Whether a route with request_buffering must read this request's body before going upstream. */
export function needsBuffering(ctx: RequestContext): boolean {
  if (!ctx.route!.request_buffering || ctx.upstreamBody !== null) return false;
  const headers = ctx.req.headers;
  const length = headers['content-length'];
  return length !== undefined ? length !== '0' : headers['transfer-encoding'] !== undefined;
}

let sequence = 0;
const madeDirs = new Set<string>();

/**
 * Kong's request_buffering (nginx's proxy_request_buffering): the whole body is read from the
 * client before the upstream request opens, so a slow client holds no upstream connection. Up to
 * `memoryBytes` stay in memory; a larger body goes to a temp file, unlinked as soon as it is
 * whole and reopened for reading (the open descriptor keeps it until the upstream has it all).
 * One object per buffered request; requests without a body never get here.
 */
export class RequestBodyBuffer {
  private chunks: Buffer[] = [];
  private size = 0;
  private file: WriteStream | null = null;
  private path = '';
  private finished = false;

  constructor(
    private readonly ctx: RequestContext,
    private readonly exchange: UpstreamExchange,
    private readonly res: ProxyResponse,
    private readonly buffering: BodyBuffering,
  ) {}

  start(): void {
    const req = this.ctx.req;
    req.on('data', this.onData);
    req.once('end', this.onEnd);
    req.once('close', this.onClose);
  }

  private readonly onData = (chunk: Buffer): void => {
    this.size += chunk.length;
    if (this.file !== null) {
      if (!this.file.write(chunk)) this.ctx.req.pause();
      return;
    }
    this.chunks.push(chunk);
    if (this.size > this.buffering.memoryBytes) this.spill();
  };

  /** Past the memory bound: everything so far, then the rest, into a temp file. */
  private spill(): void {
    const dir = this.buffering.tempDir;
    if (!madeDirs.has(dir)) {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      madeDirs.add(dir);
    }
    this.path = join(dir, `request-${process.pid}-${++sequence}`);
    const file = createWriteStream(this.path, { flags: 'wx', mode: 0o600 });
    this.file = file;
    file.on('drain', () => this.ctx.req.resume());
    file.on('error', (error) => this.failed(error));
    for (const chunk of this.chunks) file.write(chunk);
    this.chunks = [];
  }

  private readonly onEnd = (): void => {
    this.finished = true;
    this.detach();
    if (this.file === null) {
      this.ctx.upstreamBody = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.size);
      this.chunks = [];
      return this.forward();
    }
    this.file.end(() => void this.reopen());
  };

  private async reopen(): Promise<void> {
    try {
      const handle = await open(this.path, 'r');
      await unlink(this.path);
      if (this.exchange.done) return void (await handle.close());
      // The stream owns the handle (a bare fd taken from it would be closed twice: by the stream and the handle's GC).
      this.ctx.upstreamBody = createReadStream('', { fd: handle, autoClose: true });
      // Chunked from the client, or not: the upstream gets the length of what was read.
      this.ctx.setUpstreamHeader(CONTENT_LENGTH, String(this.size));
      this.forward();
    } catch (error) {
      this.failed(error as Error);
    }
  }

  private forward(): void {
    // The client may have left while its body was read (the response closed and marked the exchange done).
    if (!this.exchange.done) this.exchange.start();
  }

  /** The client left (or was timed out) before its body was whole. */
  private readonly onClose = (): void => {
    if (this.finished) return;
    this.detach();
    this.chunks = [];
    if (this.file !== null) this.file.destroy();
    if (this.path !== '') void unlink(this.path).catch(() => undefined);
  };

  private failed(error: Error): void {
    this.ctx.services.warnThrottled('request-buffering', `request body could not be buffered in ${this.buffering.tempDir}`, error);
    if (this.path !== '') void unlink(this.path).catch(() => undefined);
    this.ctx.status = 500;
    sendGatewayError(this.res, GATEWAY_ERRORS.GW_ERR_INTERNAL, this.ctx.responseHeaders);
  }

  private detach(): void {
    const req: IncomingMessage = this.ctx.req;
    req.off('data', this.onData);
    req.off('end', this.onEnd);
    req.off('close', this.onClose);
  }
}
