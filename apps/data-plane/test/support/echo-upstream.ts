import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { acceptWebSocket } from './websocket-echo';

/** What the echo upstream saw of a request. */
export interface Echo {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  rawHeaders: string[];
  bodyBytes: number;
  bodySha256: string;
  body: string;
  remotePort: number;
}

export interface EchoUpstream {
  readonly url: string;
  readonly port: number;
  /** Requests whose body the client abandoned: the upstream saw its request aborted. */
  readonly aborted: string[];
  /** Body bytes received so far, by request URL (to see a body arrive while it is still being sent). */
  readonly progress: Map<string, number>;
  /** Sockets that connected, in order. */
  readonly connections: number;
  /** Sockets open now. */
  readonly openConnections: number;
  close(): Promise<void>;
}

const BODY_ECHO_LIMIT = 64 * 1024;

/** Streams `bytes` bytes of a repeated pattern, respecting backpressure. */
function streamBytes(res: ServerResponse, bytes: number): void {
  const chunk = Buffer.alloc(64 * 1024, 'x');
  let left = bytes;
  const pump = () => {
    while (left > 0) {
      const size = Math.min(left, chunk.length);
      left -= size;
      if (!res.write(size === chunk.length ? chunk : chunk.subarray(0, size))) return void res.once('drain', pump);
    }
    res.end();
  };
  pump();
}

/** Paths that make the upstream misbehave, for the proxy's error handling. */
function misbehave(path: string, req: IncomingMessage, res: ServerResponse): boolean {
  const socket = req.socket as Socket;
  switch (path) {
    case '/hang':
      return true;
    case '/reset':
      socket.resetAndDestroy();
      return true;
    case '/garbage':
      socket.end('this is not HTTP at all\r\n\r\n');
      return true;
    case '/download': {
      const bytes = Number(new URL(req.url!, 'http://x').searchParams.get('bytes') ?? 0);
      res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': bytes });
      streamBytes(res, bytes);
      return true;
    }
    case '/chunked':
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.write('first,');
      setTimeout(() => res.end('second'), 20);
      return true;
    case '/hop-by-hop':
      res.writeHead(200, { Connection: 'close, X-Hop', 'X-Hop': 'secret', 'Keep-Alive': 'timeout=5', 'X-Kept': 'yes', 'Content-Length': 2 });
      res.end('ok');
      return true;
    case '/kong-hop-by-hop':
      // As Kong's mock upstream answers /hop-by-hop (spec/fixtures/custom_nginx.template).
      res.writeHead(200, {
        'Keep-Alive': 'timeout=5, max=1000',
        Proxy: 'Remove-Me',
        'Proxy-Connection': 'close',
        'Proxy-Authenticate': 'Basic',
        'Proxy-Authorization': 'Basic YWxhZGRpbjpvcGVuc2VzYW1l',
        TE: 'trailers, deflate;q=0.5',
        Trailer: 'Expires',
        Upgrade: 'example/1, foo/2',
      });
      res.end('hello\r\n\r\nExpires: Wed, 21 Oct 2015 07:28:00 GMT\r\n\r\n');
      return true;
    case '/server-via':
      res.writeHead(200, { Server: 'echo-server', Via: '1.1 echo', 'Content-Length': 2 });
      res.end('ok');
      return true;
    default:
      return false;
  }
}

/** An HTTP upstream that answers every request with what it received, as JSON. */
export async function startEchoUpstream(): Promise<EchoUpstream> {
  const aborted: string[] = [];
  const progress = new Map<string, number>();
  let connections = 0;
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const suffix = path.slice(path.lastIndexOf('/'));
    if (misbehave(suffix, req, res)) return;
    const hash = createHash('sha256');
    const kept: Buffer[] = [];
    let bytes = 0;
    req.on('data', (chunk: Buffer) => {
      hash.update(chunk);
      bytes += chunk.length;
      progress.set(req.url ?? '', bytes);
      if (bytes <= BODY_ECHO_LIMIT) kept.push(chunk);
    });
    req.on('aborted', () => aborted.push(req.url ?? ''));
    req.on('end', () => {
      const echo: Echo = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        rawHeaders: req.rawHeaders,
        bodyBytes: bytes,
        bodySha256: hash.digest('hex'),
        body: Buffer.concat(kept).toString(),
        remotePort: req.socket.remotePort ?? 0,
      };
      const body = JSON.stringify(echo);
      // `?delay=ms` holds the answer back: a long request still in flight.
      const delay = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('delay') ?? 0);
      setTimeout(() => {
        res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), 'X-Upstream': 'echo' });
        res.end(body);
      }, delay);
    });
  });
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('upgrade', acceptWebSocket);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    aborted,
    progress,
    get connections() {
      return connections;
    },
    get openConnections() {
      return sockets.size;
    },
    close: () =>
      new Promise<void>((resolve) => {
        // Upgraded sockets are no longer the http server's to close.
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
