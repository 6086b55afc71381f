import { performance } from 'node:perf_hooks';
import type { Dispatcher, Pool } from 'undici';
import type { TargetAddress } from '../balancer';
import type { ServiceTarget } from '../config/service-targets';
import { runResponsePhase } from '../pipeline/plugin-pipeline';
import { sendGatewayError } from './client-responses';
import { GATEWAY_ERRORS, type GatewayError } from './gateway-errors';
import type { ProxyResponse } from './proxy-response';
import type { RequestContext } from './request-context';
import { clientResponseHeaders } from './response-headers';
import { upstreamRequestHeaders } from './upstream-headers';

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

  constructor(
    private readonly ctx: RequestContext,
    private readonly target: ServiceTarget,
    private readonly res: ProxyResponse,
  ) {}

  start(): void {
    const ctx = this.ctx;
    const hostHeader = ctx.route!.preserve_host && ctx.host !== '' ? ctx.host : this.target.hostHeader;
    const headers = upstreamRequestHeaders(ctx, hostHeader);
    if (headers === null) return this.fail(GATEWAY_ERRORS.GW_ERR_BAD_REQUEST);
    const query = ctx.upstreamQuery ?? ctx.rawQuery;
    const path = ctx.match!.upstreamPath;
    this.options = {
      method: ctx.method,
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
    balancer.onStart(address);
    return this.target.targetPools.get(address.key) ?? null;
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
    runResponsePhase(ctx, ctx.plan!.chain.response);
    const headers = clientResponseHeaders(rawHeaders, Math.round(this.upstreamLatency), Math.round(this.proxyLatency), ctx, statusCode);
    const cookie = this.target.balancer?.cookieToSet(ctx) ?? null;
    if (cookie !== null) headers.push(SET_COOKIE, cookie);
    try {
      if (statusText) this.res.writeHead(statusCode, statusText, headers);
      else this.res.writeHead(statusCode, headers);
    } catch {
      // A header node refuses to write: the upstream answered something unusable (502 via onError).
      this.abortUpstream(UNUSABLE_RESPONSE);
      return false;
    }
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.res.write(chunk)) return true;
    this.res.once('drain', this.resume!);
    return false;
  }

  onComplete(): void {
    if (this.done) return;
    this.done = true;
    this.report();
    this.res.end();
  }

  onError(error: Error): void {
    this.clearWriteTimer();
    const code = errorCode(error);
    this.report(TIMEOUTS.has(code) ? 'timeout' : 'tcp_error');
    if (this.done) return;
    if (this.abort === null && this.attempts <= this.target.retries && !NOT_RETRYABLE.has(code)) {
      if (this.address !== null) (this.tried ??= new Set()).add(this.address.key);
      return this.send();
    }
    this.fail(TIMEOUTS.has(code) ? GATEWAY_ERRORS.GW_ERR_UPSTREAM_TIMEOUT : GATEWAY_ERRORS.GW_ERR_BAD_GATEWAY);
  }

  private fail(error: GatewayError): void {
    this.done = true;
    this.ctx.status = error.status;
    // Once the response head is out, the only honest signal left is cutting the connection.
    sendGatewayError(this.res, error, this.ctx.responseHeaders);
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
