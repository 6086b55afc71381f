import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Server as NetServer, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Logger } from '../logger';
import { DescriptorWatch } from './descriptor-watch';
import type { EdgeSettings } from './edge-settings';
import { GATEWAY_ERRORS } from './gateway-errors';

/** Accept failures that mean the process (or the system) ran out of descriptors or buffers. */
const RESOURCE_ERRORS = new Set(['EMFILE', 'ENFILE', 'ENOBUFS', 'ENOMEM']);
/** The least time between two warnings of one kind (a flood must not flood the log too). */
const WARN_EVERY_MS = 10_000;
/** Idle keep-alive connections are reclaimed at most this often when the cap is reached. */
const RECLAIM_EVERY_MS = 1000;

const REQUEST_TIMEOUT = GATEWAY_ERRORS.GW_ERR_REQUEST_TIMEOUT;
const TIMEOUT_HEADERS = ['Content-Type', 'application/json; charset=utf-8', 'Content-Length', REQUEST_TIMEOUT.contentLength, 'Connection', 'close', 'Via', '1.1 tollgate'];

/** What the guard counted, for /status, /metrics and readiness. */
export interface EdgeStats {
  /** Client connections this process may hold (summed over workers by the primary). */
  readonly capacity: number;
  /** Connections closed at once because the cap was reached. */
  readonly refused: number;
  /** accept() failures (EMFILE, ENFILE, ...), survived. */
  readonly acceptErrors: number;
  readonly headerTimeouts: number;
  readonly bodyTimeouts: number;
  /** Below the cap, with descriptors to spare and no accept failure in the last seconds. */
  readonly accepting: boolean;
}

/** An http or https listener (both are net servers with node's HTTP connection list). */
type HttpServer = NetServer & { closeIdleConnections(): void };

/** node's current response on a connection (no public accessor exists). */
function currentResponse(socket: Socket): ServerResponse | null {
  return (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage ?? null;
}

/**
 * The proxy listeners' edge, as nginx holds it: open connections counted and capped below the
 * descriptor limit, accept failures survived and counted, and the body read timeout (node's
 * headersTimeout and keepAliveTimeout cover the rest, see proxy-server.ts). One per serving
 * process, shared by its http and https listeners.
 */
export class ConnectionGuard {
  readonly sockets = new Set<Socket>();
  accepted = 0;
  refused = 0;
  headerTimeouts = 0;
  bodyTimeouts = 0;
  readonly descriptors = new DescriptorWatch();
  private lastReclaimAt = -Infinity;
  private readonly lastWarnAt = { cap: -Infinity, accept: -Infinity };

  constructor(
    readonly capacity: number,
    private readonly settings: EdgeSettings,
    private readonly logger: Logger,
  ) {}

  get active(): number {
    return this.sockets.size;
  }

  guard(server: HttpServer): void {
    server.on('connection', (socket: Socket) => this.onConnection(server, socket));
    server.on('error', (error: Error & { code?: string }) => this.onServerError(error));
    server.on('clientError', (error: Error & { code?: string }) => {
      if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') this.headerTimeouts++;
    });
    // With a listener here node no longer destroys timed-out sockets itself: onSocketTimeout does.
    server.on('timeout', (socket: Socket) => this.onSocketTimeout(socket));
  }

  /**
   * Arms the body read timeout of a request that has a body: the connection's own inactivity
   * timer, so nothing is allocated per request. node resets it when the connection goes idle.
   */
  onRequest(req: IncomingMessage): void {
    const ms = this.settings.clientBodyTimeoutMs;
    if (ms === 0) return;
    const headers = req.headers;
    const length = headers['content-length'];
    if (length !== undefined ? length !== '0' : headers['transfer-encoding'] !== undefined) req.socket.setTimeout(ms);
  }

  private onConnection(server: HttpServer, socket: Socket): void {
    if (this.sockets.size >= this.capacity) {
      this.refused++;
      socket.destroy();
      this.warn('cap', { capacity: this.capacity, refused: this.refused }, 'client connection cap reached: new connections are closed');
      const now = performance.now();
      if (now - this.lastReclaimAt >= RECLAIM_EVERY_MS) {
        // As nginx reuses keep-alive connections when worker_connections run out.
        this.lastReclaimAt = now;
        server.closeIdleConnections();
      }
      return;
    }
    this.accepted++;
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
  }

  private onServerError(error: Error & { code?: string }): void {
    if (error.code !== undefined && RESOURCE_ERRORS.has(error.code)) {
      // Only when libuv's reserve descriptor is gone too; the listener keeps listening.
      this.descriptors.exhausted();
      this.warn('accept', { code: error.code, active: this.sockets.size }, 'accept failed: out of descriptors');
      return;
    }
    this.logger.error({ err: error }, 'proxy listener error');
  }

  /**
   * The connection's inactivity timer fired: the keep-alive timeout of an idle connection, or a
   * body that stopped arriving. A body the proxy is not reading (the upstream is slow, a plugin
   * waits) is not the client's stall: its upstream write timeout covers it.
   */
  private onSocketTimeout(socket: Socket): void {
    const res = currentResponse(socket);
    if (res === null) return void socket.destroy();
    const req = res.req;
    if (req.complete || req.readableLength > 0) return;
    this.bodyTimeouts++;
    if (res.headersSent) return void socket.destroy();
    res.writeHead(REQUEST_TIMEOUT.status, TIMEOUT_HEADERS);
    res.end(REQUEST_TIMEOUT.body);
  }

  private warn(kind: 'cap' | 'accept', fields: Record<string, unknown>, message: string): void {
    const now = performance.now();
    if (now - this.lastWarnAt[kind] < WARN_EVERY_MS) return;
    this.lastWarnAt[kind] = now;
    this.logger.warn(fields, message);
  }

  stats(): EdgeStats {
    return {
      capacity: this.capacity,
      refused: this.refused,
      acceptErrors: this.descriptors.exhaustions,
      headerTimeouts: this.headerTimeouts,
      bodyTimeouts: this.bodyTimeouts,
      accepting: this.accepting(),
    };
  }

  private accepting(): boolean {
    return this.sockets.size < this.capacity && this.descriptors.healthy();
  }

  close(): void {
    this.descriptors.close();
  }
}
