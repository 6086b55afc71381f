import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import type { ConfigHolder } from '../config/runtime-config';
import type { ConnectionGuard } from './connection-guard';
import type { EdgeSettings } from './edge-settings';
import { GATEWAY_ERRORS, rawErrorResponse } from './gateway-errors';
import type { ProxyHandler } from './proxy-handler';
import { ProxyResponse } from './proxy-response';
import type { WebSocketProxy } from './websocket-proxy';

const BAD_REQUEST = rawErrorResponse(GATEWAY_ERRORS.GW_ERR_BAD_REQUEST, 'Bad Request');
const HEADERS_TOO_LARGE = rawErrorResponse(GATEWAY_ERRORS.GW_ERR_HEADERS_TOO_LARGE, 'Request Header Fields Too Large');
const REQUEST_TIMEOUT = rawErrorResponse(GATEWAY_ERRORS.GW_ERR_REQUEST_TIMEOUT, 'Request Timeout');

function clientErrorResponse(code: string | undefined): Buffer {
  if (code === 'HPE_HEADER_OVERFLOW') return HEADERS_TOO_LARGE;
  return code === 'ERR_HTTP_REQUEST_TIMEOUT' ? REQUEST_TIMEOUT : BAD_REQUEST;
}

/**
 * Requests node's parser refused: oversized heads get 431, heads not whole by the header timeout
 * 408, everything else 400, which covers
 * request smuggling (Content-Length with Transfer-Encoding, duplicate Content-Length, an obsolete
 * or unknown Transfer-Encoding): llhttp rejects those before any handler runs.
 */
function onClientError(error: Error & { code?: string }, socket: Duplex): void {
  if (socket.writable && !(socket as Socket).writableEnded) {
    socket.end(clientErrorResponse(error.code));
  }
  socket.destroy();
}

export type ProxyServer = Server<typeof IncomingMessage, typeof ProxyResponse>;
export type TlsProxyServer = HttpsServer<typeof IncomingMessage, typeof ProxyResponse>;

export interface ProxyServerOptions {
  readonly maxHeaderSize: number;
  readonly edge: EdgeSettings;
  readonly guard: ConnectionGuard;
}

function serverOptions(options: ProxyServerOptions) {
  const headersTimeout = options.edge.clientHeaderTimeoutMs;
  return {
    ServerResponse: ProxyResponse,
    maxHeaderSize: options.maxHeaderSize,
    // Bodies are streams of any length: no whole-request deadline (the body timeout is between
    // reads, in the guard). headersTimeout must be set itself: requestTimeout 0 would turn it off.
    requestTimeout: 0,
    headersTimeout,
    keepAliveTimeout: options.edge.keepAliveTimeoutMs,
    // node looks for heads past their timeout every this often (30 s by default): a fraction of the timeout.
    connectionsCheckingInterval: Math.min(1000, Math.max(50, Math.floor(headersTimeout / 4))),
  };
}

export function createProxyServer(handler: ProxyHandler, websockets: WebSocketProxy, options: ProxyServerOptions): ProxyServer {
  const guard = options.guard;
  const server = createHttpServer<typeof IncomingMessage, typeof ProxyResponse>(serverOptions(options), (req, res) => {
    guard.onRequest(req);
    handler.handle(req, res, false);
  });
  guard.guard(server);
  server.on('clientError', onClientError);
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => websockets.handle(req, socket, head, false));
  return server;
}

/** The https listener: certificates by SNI from the live config, looked up per handshake. */
export function createTlsProxyServer(
  handler: ProxyHandler,
  websockets: WebSocketProxy,
  configs: ConfigHolder,
  options: ProxyServerOptions,
): TlsProxyServer {
  const guard = options.guard;
  const server = createHttpsServer<typeof IncomingMessage, typeof ProxyResponse>(
    {
      ...serverOptions(options),
      SNICallback: (servername, callback) => callback(null, configs.current?.certificates.contextFor(servername) ?? undefined),
    },
    (req, res) => {
      guard.onRequest(req);
      handler.handle(req, res, true);
    },
  );
  guard.guard(server);
  server.on('clientError', onClientError);
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => websockets.handle(req, socket, head, true));
  return server;
}
