import { performance } from 'node:perf_hooks';
import type { Dispatcher, Pool } from 'undici';
import type { TargetAddress } from '../balancer';
import type { ServiceTarget } from '../config/service-targets';
import { runResponsePhase } from '../pipeline/plugin-pipeline';
import { BufferedResponse } from './buffered-response';
import { sendGatewayError, sendPluginResponse } from './client-responses';
import { GATEWAY_ERRORS, type GatewayError } from './gateway-errors';
import type { ProxyResponse } from './proxy-response';
import type { RequestContext } from './request-context';
import { clientResponseHeaders } from './response-headers';
import { upstreamRequestHeaders } from './upstream-headers';
import { logUpstreamFailure, upstreamName } from './upstream-protocol-errors';
import type { BodyBuffering } from './request-buffer';
import { ResponseSpool } from './response-spool';
import { RequestRefusedError } from '@tollgate/plugins';

const SET_COOKIE = 'Set-Cookie';
const QUESTION_MARK = '?';

class UpstreamWriteTimeoutError extends Error {
  readonly code = 'TOLLGATE_WRITE_TIMEOUT';
}

/** Reused: only its identity and message matter to undici. */
const CLIENT_GONE = new Error('client closed the connection');
const WRITE_TIMEOUT = new UpstreamWriteTimeoutError('upstream stopped reading the request body');
const UNUSABLE_RESPONSE = new Error('upstream response head cannot be relayed');

/** Errors that retrying cannot fix: the request itself, or a pool shut down under it. */
const NOT_RETRYABLE = new Set(['UND_ERR_INVALID_ARG', 'UND_ERR_NOT_SUPPORTED', 'UND_ERR_CLOSED', 'UND_ERR_DESTROYED', 'UND_ERR_ABORTED']);
const TIMEOUTS = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'TOLLGATE_WRITE_TIMEOUT', 'ETIMEDOUT']);

function errorCode(error: Error): string {
  return (error as { code?: string }).code ?? '';
}

function hasRequestBody(ctx: RequestContext): boolean {
  const length = ctx.req.headers['content-length'];
  return length !== undefined ? length !== '0' : ctx.req.headers['transfer-encoding'] !== undefined;
}

function onWriteTimeout(exchange: UpstreamExchange): void {
  exchange.abortUpstream(WRITE_TIMEOUT);
}

/**
 * One proxied request: dispatched on undici's pool with this object as the handler (undici's
 * callback interface, which it calls directly, so no stream objects sit between the two
 * sockets), streamed to the client with backpressure, retried on another attempt only when the
 * connection failed before anything was sent.
 */
export class UpstreamExchange implements Dispatcher.DispatchHandler {
  /** Finished one way or another: completed, failed, or the client went away. */
  done = false;
  /** ms from sending upstream to its response head; -1 until then. */
  upstreamLatency = -1;
  proxyLatency = -1;
  private abort: ((error?: Error) => void) | null = null;
  private resume: (() => void) | null = null;
  private options: Dispatcher.DispatchOptions | null = null;
  private attempts = 0;
  private address: TargetAddress | null = null;
  private tried: Set<string> | null = null;
  private sentAt = 0;
  private status = 0;
  private writeTimer: NodeJS.Timeout | null = null;
  /**
   * The client response head, held until the first body bytes (or the end) on routes with
   * response_buffering, so that a response breaking off before them is still answered 502.
   */
  private head: string[] | null = null;
  private statusText = '';
  /** The temp file of response_buffering once a slow client lags past the memory bound. */
  private spool: ResponseSpool | null = null;
  /** Set when a plugin asked for the whole response body. */
  private buffered: BufferedResponse | null = null;
  /** The target of the latest attempt (kept after `report` clears `address`), for log plugins. */
  private picked: TargetAddress | null = null;

  constructor(
    private readonly ctx: RequestContext,
    private readonly target: ServiceTarget,
    private readonly res: ProxyResponse,
    /**
     * response_buffering: the upstream is read at its own pace, the response held for a slow
     * client in memory (up to responseBytes unsent) then in a temp file; null: the upstream is
     * paused as soon as the client is slower.
     */
    private readonly buffering: BodyBuffering | null = null,
  ) {}

  start(): void {
    const ctx = this.ctx;
    const hostHeader = ctx.upstreamHost ?? (ctx.route!.preserve_host && ctx.host !== '' ? ctx.host : this.target.hostHeader);
    const headers = upstreamRequestHeaders(ctx, hostHeader);
    if (headers === null) return this.fail(GATEWAY_ERRORS.GW_ERR_BAD_REQUEST);
    const query = ctx.upstreamQuery ?? ctx.rawQuery;
    const path = ctx.upstreamPath ?? ctx.match!.upstreamPath;
    this.options = {
      method: ctx.upstreamMethod ?? ctx.method,
      path: query === '' && !ctx.queryMark ? path : path + QUESTION_MARK + query,
      headers,
      body: ctx.upstreamBody ?? (hasRequestBody(ctx) ? ctx.req : null),
      headersTimeout: this.target.readTimeout,
      bodyTimeout: this.target.readTimeout,
    };
    this.send();
  }

  private send(): void {
    const pool = this.choosePool();
    if (pool === null) return this.fail(GATEWAY_ERRORS.GW_ERR_NO_HEALTHY_TARGET);
    this.attempts++;
    pool.dispatch(this.options!, this);
  }

  private choosePool(): Pool | null {
    const balancer = this.target.balancer;
    if (balancer === null) return this.target.pool;
    const address = balancer.pick(this.ctx, this.tried ?? undefined);
    this.address = address;
    if (address === null) return null;
    this.picked = address;
    balancer.onStart(address);
    return this.target.targetPools.get(address.key) ?? null;
  }

  // Read by log plugins once the call has ended (see request-log-facts.ts).
  get attemptCount(): number {
    return this.attempts;
  }
  get lastTarget(): { host: string; port: number } {
    return this.picked ?? this.target.service;
  }
  get upstreamPath(): string {
    return this.options?.path ?? '';
  }
  get upstreamStatus(): number {
    return this.status;
  }
  /** performance.now() when the upstream request went out; -1 if it never did. */
  get sentMark(): number {
    return this.sentAt === 0 ? -1 : this.sentAt;
  }

  /** The client went away: stop the upstream request (or never start it). */
  clientClosed(): void {
    if (this.done) return;
    this.done = true;
    this.abortUpstream(CLIENT_GONE);
  }

  abortUpstream(error: Error): void {
    if (this.abort !== null) this.abort(error);
  }

  onConnect(abort: (error?: Error) => void): void {
    this.abort = abort;
    if (this.done) return abort(CLIENT_GONE);
    this.sentAt = performance.now();
    this.proxyLatency = this.sentAt - this.ctx.startedAt;
    if (this.options!.body !== null && this.target.writeTimeout > 0) {
      this.writeTimer = setTimeout(onWriteTimeout, this.target.writeTimeout, this);
    }
  }

  onBodySent(): void {
    this.writeTimer?.refresh();
  }

  onRequestSent(): void {
    this.clearWriteTimer();
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void, statusText: string): boolean {
    if (statusCode < 200 || this.done) return !this.done; // 1xx interim responses are not relayed
    this.resume = resume;
    this.status = statusCode;
    this.upstreamLatency = performance.now() - this.sentAt;
    const ctx = this.ctx;
    ctx.status = statusCode;
    const headers = clientResponseHeaders(rawHeaders, Math.round(this.upstreamLatency), Math.round(this.proxyLatency), ctx, statusCode);
    const cookie = this.target.balancer?.cookieToSet(ctx) ?? null;
    if (cookie !== null) headers.push(SET_COOKIE, cookie);
    const chain = ctx.plan!.chain;
    if (chain.response.length > 0) {
      ctx.clientHeaders = headers;
      runResponsePhase(ctx, chain.response);
      if (ctx.exitResponse !== null) return this.replaceResponse();
      if (ctx.responseBodyWanted) {
        this.buffered = new BufferedResponse(ctx, this.res, statusCode, statusText, headers);
        return true;
      }
    }
    this.head = headers;
    this.statusText = statusText;
    return ctx.route!.response_buffering || this.writeHead();
  }

  private writeHead(): boolean {
    const headers = this.head!;
    this.head = null;
    try {
      if (this.statusText) this.res.writeHead(this.status, this.statusText, headers);
      else this.res.writeHead(this.status, headers);
    } catch {
      // A header node refuses to write: the upstream answered something unusable (502 via onError).
      this.abortUpstream(UNUSABLE_RESPONSE);
      return false;
    }
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.buffered !== null) {
      if (this.buffered.push(chunk)) return true;
    } else {
      if (this.head !== null && !this.writeHead()) return false;
      if (this.spool !== null) return this.spool.push(chunk);
      if (this.res.write(chunk)) return true;
      if (this.buffering !== null) return this.buffer();
    }
    this.res.once('drain', this.resume!);
    return false;
  }

  /** The client lags: past the memory bound the rest of the response goes through a temp file. */
  private buffer(): boolean {
    if (this.res.writableLength <= this.buffering!.responseBytes) return true;
    try {
      this.spool = new ResponseSpool(this.res, this.buffering!.tempDir, this.resume!);
      return true;
    } catch {
      // No temp file (out of descriptors, disk): the client's pace sets the upstream's after all.
      this.res.once('drain', this.resume!);
      return false;
    }
  }

  onComplete(): void {
    if (this.done) return;
    this.report();
    if (this.buffered !== null) {
      this.done = true;
      return this.buffered.finish();
    }
    if (this.head !== null && !this.writeHead()) return this.fail(GATEWAY_ERRORS.GW_ERR_BAD_GATEWAY);
    this.done = true;
    if (this.spool !== null) this.spool.end();
    else this.res.end();
  }

  onError(error: Error): void {
    this.clearWriteTimer();
    const code = errorCode(error);
    const address = this.address;
    this.report(TIMEOUTS.has(code) ? 'timeout' : 'tcp_error');
    if (this.done) return;
    if (error instanceof RequestRefusedError) return this.refuse(error);
    if (this.abort === null && this.attempts <= this.target.retries && !NOT_RETRYABLE.has(code)) {
      if (this.address !== null) (this.tried ??= new Set()).add(this.address.key);
      return this.send();
    }
    if (error !== UNUSABLE_RESPONSE) logUpstreamFailure(this.ctx, upstreamName(this.target, address), error, this.res.headersSent);
    this.fail(TIMEOUTS.has(code) ? GATEWAY_ERRORS.GW_ERR_UPSTREAM_TIMEOUT : GATEWAY_ERRORS.GW_ERR_BAD_GATEWAY);
  }

  private fail(error: GatewayError): void {
    this.done = true;
    this.ctx.status = error.status;
    // Kong runs header filters on its own error answers too (cors headers on a 502).
    const chain = this.ctx.plan!.chain;
    if (chain.response.length > 0 && !this.res.headersSent) runResponsePhase(this.ctx, chain.response);
    // Once the response head is out, the only honest signal left is cutting the connection.
    sendGatewayError(this.res, error, this.ctx.responseHeaders);
  }

  /** A response-phase plugin answered instead of the upstream (response-ratelimiting's 429). */
  private replaceResponse(): boolean {
    this.done = true;
    this.report();
    this.abortUpstream(CLIENT_GONE);
    this.ctx.status = this.ctx.exitResponse!.status;
    sendPluginResponse(this.res, this.ctx.exitResponse!, null);
    return false;
  }

  /** A plugin refused the request while its body streamed upstream (request-size-limiting). */
  private refuse(error: RequestRefusedError): void {
    this.done = true;
    this.ctx.status = error.response.status;
    sendPluginResponse(this.res, error.response, this.ctx.responseHeaders);
  }

  private report(failure?: 'timeout' | 'tcp_error'): void {
    const balancer = this.target.balancer;
    const address = this.address;
    if (balancer === null || address === null) return;
    this.address = null;
    if (failure !== undefined) balancer.report(address, { kind: failure });
    else balancer.report(address, { kind: 'response', status: this.status, latencyMs: this.upstreamLatency });
  }

  private clearWriteTimer(): void {
    if (this.writeTimer !== null) {
      clearTimeout(this.writeTimer);
      this.writeTimer = null;
    }
  }
}
