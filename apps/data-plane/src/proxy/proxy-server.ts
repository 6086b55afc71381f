import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import type { ConfigHolder } from '../config/runtime-config';
import { GATEWAY_ERRORS, rawErrorResponse } from './gateway-errors';
import type { ProxyHandler } from './proxy-handler';
import { ProxyResponse } from './proxy-response';
import type { WebSocketProxy } from './websocket-proxy';

const BAD_REQUEST = rawErrorResponse(GATEWAY_ERRORS.GW_ERR_BAD_REQUEST, 'Bad Request');
const HEADERS_TOO_LARGE = rawErrorResponse(GATEWAY_ERRORS.GW_ERR_HEADERS_TOO_LARGE, 'Request Header Fields Too Large');

/**
 * Requests node's parser refused: oversized heads get 431, everything else 400, which covers
 * request smuggling (Content-Length with Transfer-Encoding, duplicate Content-Length, an obsolete
 * or unknown Transfer-Encoding): llhttp rejects those before any handler runs.
 */
function onClientError(error: Error & { code?: string }, socket: Duplex): void {
  if (socket.writable && !(socket as Socket).writableEnded) {
    socket.end(error.code === 'HPE_HEADER_OVERFLOW' ? HEADERS_TOO_LARGE : BAD_REQUEST);
  }
  socket.destroy();
}

/** Open client connections, for /status and for cutting them at the drain deadline. */
export class ConnectionTracker {
  readonly sockets = new Set<Socket>();
  accepted = 0;

  track(server: ProxyServer | TlsProxyServer): void {
    server.on('connection', (socket: Socket) => {
      this.accepted++;
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
  }

  get active(): number {
    return this.sockets.size;
  }
}

export type ProxyServer = Server<typeof IncomingMessage, typeof ProxyResponse>;
export type TlsProxyServer = HttpsServer<typeof IncomingMessage, typeof ProxyResponse>;

export interface ProxyServerOptions {
  readonly maxHeaderSize: number;
}

function serverOptions(options: ProxyServerOptions) {
  return {
    ServerResponse: ProxyResponse,
    maxHeaderSize: options.maxHeaderSize,
    // Bodies are streams of any length: no whole-request deadline; headersTimeout still guards slow heads.
    requestTimeout: 0,
    keepAliveTimeout: 60_000,
  };
}

export function createProxyServer(handler: ProxyHandler, websockets: WebSocketProxy, options: ProxyServerOptions): ProxyServer {
  const server = createHttpServer<typeof IncomingMessage, typeof ProxyResponse>(serverOptions(options), (req, res) =>
    handler.handle(req, res, false),
  );
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
  const server = createHttpsServer<typeof IncomingMessage, typeof ProxyResponse>(
    {
      ...serverOptions(options),
      SNICallback: (servername, callback) => callback(null, configs.current?.certificates.contextFor(servername) ?? undefined),
    },
    (req, res) => handler.handle(req, res, true),
  );
  server.on('clientError', onClientError);
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => websockets.handle(req, socket, head, true));
  return server;
}
