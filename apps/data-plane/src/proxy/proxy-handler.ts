import type { PluginServices } from '@tollgate/plugins';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { ConfigHolder } from '../config/runtime-config';
import type { Logger } from '../logger';
import { runAccessPhase, runLogPhase, runResponsePhase, runRewritePhase, runUnroutedLogPhase } from '../pipeline/plugin-pipeline';
import type { ProxyMetrics } from '../status/proxy-metrics';
import { sendGatewayError, sendHttpsRedirect, sendPluginResponse } from './client-responses';
import { GATEWAY_ERRORS, type GatewayError } from './gateway-errors';
import { DEFAULT_HEADER_POLICY, type HeaderPolicy } from './header-policy';
import { onResponseClose, type ProxyResponse, type ResponseCloseSink } from './proxy-response';
import { needsBuffering, RequestBodyBuffer, type BodyBuffering } from './request-buffer';
import { RequestContext } from './request-context';
import { UpstreamExchange } from './upstream-exchange';
import type { PluginSlot } from '../config/plugin-chains';

/**
 * Where finished calls are metered (the usage recorder); ids are null when unknown, upstreamMs
 * negative when the call never reached an upstream.
 */
export interface UsageSink {
  record(
    serviceId: string | null,
    routeId: string | null,
    consumerId: string | null,
    status: number,
    bytesIn: number,
    bytesOut: number,
    totalMs: number,
    upstreamMs: number,
  ): void;
}

/** A client connection's byte counters as of the end of its previous metered call. */
interface ByteMarks {
  read: number;
  written: number;
}

/** Matches the request and attaches its route plan; returns the error to answer instead, or null. */
export function routeRequest(ctx: RequestContext): GatewayError | null {
  const match = ctx.config.router.match(ctx);
  if (match === null) return GATEWAY_ERRORS.GW_ERR_NO_ROUTE;
  ctx.match = match;
  ctx.route = match.route;
  ctx.service = match.service;
  // Behind a trusted proxy that terminated TLS, its X-Forwarded-Proto counts (Kong's forwarded_proto).
  if (match.httpsRedirect && ctx.trustedForwarded('x-forwarded-proto') !== 'https') return GATEWAY_ERRORS.GW_ERR_HTTPS_REQUIRED;
  ctx.plan = ctx.config.plans.get(match.route.id) ?? null;
  if (ctx.plan === null) return GATEWAY_ERRORS.GW_ERR_NO_ROUTE;
  if (ctx.plan.chain.log.length > 0) ctx.routedAt = performance.now(); // for tracing spans; only with log plugins
  return null;
}

/**
 * The proxy's request handler: route, run the access phase, hand the request to an
 * UpstreamExchange; and when the response closes, record metrics and run the log phase. Plain
 * methods with early returns; the only closures are on the path of plugins that wait on I/O.
 */
export class ProxyHandler implements ResponseCloseSink {
  private inFlight = 0;
  private onDrained: (() => void) | null = null;
  /** Kept beside node's sockets, not on them: expando fields would change their hidden class mid-life. */
  private readonly byteMarks = new WeakMap<Socket, ByteMarks>();
  /** The ending call's bytes in and out (countBytes), read by metering and log plugins. */
  private bytesIn = 0;
  private bytesOut = 0;

  constructor(
    private readonly configs: ConfigHolder,
    private readonly services: PluginServices,
    private readonly metrics: ProxyMetrics,
    private readonly logger: Logger,
    private readonly usage: UsageSink | null,
    /** Where routes with request_buffering keep bodies and how much of a response response_buffering holds; null: neither. */
    private readonly buffering: BodyBuffering | null = null,
    private readonly headerPolicy: HeaderPolicy = DEFAULT_HEADER_POLICY,
  ) {}

  get requestsInFlight(): number {
    return this.inFlight;
  }

  handle(req: IncomingMessage, res: ProxyResponse, https: boolean): void {
    const startedAt = performance.now();
    this.inFlight++;
    res.sink = this;
    res.startedAt = startedAt;
    res.clientSocket = req.socket;
    res.headerPolicy = this.headerPolicy;
    res.once('close', onResponseClose);
    if (req.method === 'TRACE') return sendGatewayError(res, GATEWAY_ERRORS.GW_ERR_METHOD_NOT_ALLOWED, null);
    const config = this.configs.current;
    if (config === null) return sendGatewayError(res, GATEWAY_ERRORS.GW_ERR_NOT_READY, null);
    const ctx = new RequestContext(req, config, this.services, https, startedAt, this.headerPolicy);
    res.context = ctx;
    if (config.rewrite.length === 0) return this.route(ctx, res);
    let pending: Promise<void> | undefined;
    try {
      pending = runRewritePhase(ctx, config.rewrite);
    } catch (error) {
      return this.pluginFailed(ctx, res, error);
    }
    if (pending === undefined) return this.route(ctx, res);
    pending.then(
      () => this.route(ctx, res),
      (error: unknown) => this.pluginFailed(ctx, res, error),
    );
  }

  private route(ctx: RequestContext, res: ProxyResponse): void {
    if (ctx.exitResponse !== null) return this.answerExit(ctx, res);
    const refused = routeRequest(ctx);
    if (refused !== null) return this.refuse(ctx, res, refused);
    let pending: Promise<void> | undefined;
    try {
      pending = runAccessPhase(ctx, ctx.plan!.chain.access);
    } catch (error) {
      return this.pluginFailed(ctx, res, error);
    }
    if (pending === undefined) return this.admit(ctx, res);
    pending.then(
      () => this.admit(ctx, res),
      (error: unknown) => this.pluginFailed(ctx, res, error),
    );
  }

  /** After the access phase (authentication included): the marketplace's plans, when any exist. */
  private admit(ctx: RequestContext, res: ProxyResponse): void {
    const gate = ctx.config.marketplace;
    if (gate === null || ctx.exitResponse !== null) return this.forward(ctx, res);
    let pending: Promise<void> | undefined;
    try {
      pending = gate.admit(ctx);
    } catch (error) {
      return this.pluginFailed(ctx, res, error);
    }
    if (pending === undefined) return this.forward(ctx, res);
    pending.then(
      () => this.forward(ctx, res),
      (error: unknown) => this.pluginFailed(ctx, res, error),
    );
  }

  private refuse(ctx: RequestContext, res: ProxyResponse, error: GatewayError): void {
    const redirect = ctx.route?.https_redirect_status_code ?? 426;
    ctx.status = error === GATEWAY_ERRORS.GW_ERR_HTTPS_REQUIRED && redirect !== 426 ? redirect : error.status;
    if (ctx.status !== error.status) return sendHttpsRedirect(res, redirect, ctx.host, ctx.rawPath, ctx.rawQuery);
    sendGatewayError(res, error, ctx.responseHeaders);
  }

  private forward(ctx: RequestContext, res: ProxyResponse): void {
    if (res.destroyed) return; // the client left while a plugin was waiting
    const plan = ctx.plan!;
    if (ctx.exitResponse !== null) return this.answerExit(ctx, res);
    if (plan.target === null) return this.refuse(ctx, res, GATEWAY_ERRORS.GW_ERR_NO_SERVICE);
    const exchange = new UpstreamExchange(ctx, plan.target, res, plan.route.response_buffering ? this.buffering : null);
    res.exchange = exchange;
    if (this.buffering !== null && needsBuffering(ctx)) return new RequestBodyBuffer(ctx, exchange, res, this.buffering).start();
    exchange.start();
  }

  /** A plugin answered the request itself (before routing, the rewrite phase has no chain yet). */
  private answerExit(ctx: RequestContext, res: ProxyResponse): void {
    const response = ctx.exitResponse!;
    ctx.status = response.status;
    if (ctx.plan !== null) runResponsePhase(ctx, ctx.plan.chain.response);
    sendPluginResponse(res, response, ctx.responseHeaders);
  }

  private pluginFailed(ctx: RequestContext, res: ProxyResponse, error: unknown): void {
    this.logger.error({ err: error, route: ctx.route?.id }, 'plugin failed');
    ctx.status = 500;
    sendGatewayError(res, GATEWAY_ERRORS.GW_ERR_INTERNAL, null);
  }

  responseClosed(res: ProxyResponse): void {
    const ctx = res.context;
    const exchange = res.exchange;
    if (exchange !== null) exchange.clientClosed();
    const total = performance.now() - res.startedAt;
    const upstreamMs = exchange?.upstreamLatency ?? -1;
    this.metrics.record(res.statusCode, total, upstreamMs, exchange?.proxyLatency ?? -1);
    if (ctx !== null && ctx.quotaHeld !== null) ctx.config.marketplace!.settle(ctx, res.statusCode);
    const logs = ctx !== null && (ctx.plan !== null ? ctx.plan.chain.log.length > 0 : ctx.config.unroutedLog.length > 0);
    if (this.usage !== null || logs) this.countBytes(res);
    if (this.usage !== null) this.meter(res, total, upstreamMs);
    if (logs) {
      if (ctx.status === 0) ctx.status = res.statusCode;
      ctx.callEnd = { res, exchange, totalMs: total, bytesIn: this.bytesIn, bytesOut: this.bytesOut, endMark: res.startedAt + total };
      if (ctx.plan !== null) runLogPhase(ctx, ctx.plan.chain.log, this.logFailed);
      else runUnroutedLogPhase(ctx, ctx.config.unroutedLog, this.unroutedLogFailed);
    }
    res.context = null;
    res.exchange = null;
    res.clientSocket = null;
    if (--this.inFlight === 0 && this.onDrained !== null) this.onDrained();
  }

  /**
   * Bytes in and out are the connection's byte counters since the previous call on it ended (Kong's
   * request.size / response.size): request line, headers and body as received, status line,
   * headers and body as written, chunked framing included. Two counter reads per call, no parsing.
   * What is counted, exactly: on a keep-alive connection the bytes between two calls go to the
   * later one; a pipelined request head already read when the previous response ends counts with
   * that previous call (the connection's total stays exact); bytes out are those handed to the
   * socket, delivered or not (a client that leaves mid-response); on https they are node's TLS
   * socket counters, i.e. the plaintext HTTP bytes (TLS records and handshakes are not counted).
   * Requests node's parser refuses (400, 431) and WebSocket upgrades are not metered.
   */
  private countBytes(res: ProxyResponse): void {
    const socket = res.clientSocket!;
    const read = socket.bytesRead;
    const written = socket.bytesWritten;
    let marks = this.byteMarks.get(socket);
    if (marks === undefined) this.byteMarks.set(socket, (marks = { read: 0, written: 0 }));
    this.bytesIn = read - marks.read;
    this.bytesOut = written - marks.written;
    marks.read = read;
    marks.written = written;
  }

  private meter(res: ProxyResponse, totalMs: number, upstreamMs: number): void {
    const ctx = res.context;
    this.usage!.record(ctx?.service?.id ?? null, ctx?.route?.id ?? null, ctx?.consumer?.id ?? null, res.statusCode, this.bytesIn, this.bytesOut, totalMs, upstreamMs);
  }

  private readonly logFailed = (error: unknown, slot: PluginSlot): void => {
    this.logger.error({ err: error, plugin: slot.name }, 'plugin log phase failed');
  };

  private readonly unroutedLogFailed = (error: unknown, plugin: string): void => {
    this.logger.error({ err: error, plugin }, 'plugin log phase failed');
  };

  /** Resolves once no request is in flight (after the listeners stopped accepting). */
  drained(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.onDrained = () => {
        this.onDrained = null;
        resolve();
      };
    });
  }
}
