import { createServer as createHttpServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import { freePort } from './data-plane-process';

async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((done) => setTimeout(done, 20));
  }
}

/** What a log endpoint received: one request (http) or one connection's lines (tcp). */
export interface ReceivedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/**
 * An HTTP log endpoint on a free loopback port that a test can slow down, take down (its port
 * closed: connections refused) and bring back on the same port.
 */
export class HttpLogReceiver {
  readonly requests: ReceivedRequest[] = [];
  /** ms before answering each request. */
  delayMs = 0;
  status = 200;
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();

  private constructor(readonly port: number) {}

  static async start(): Promise<HttpLogReceiver> {
    const receiver = new HttpLogReceiver(await freePort());
    await receiver.up();
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Every log entry received, batches (JSON arrays) flattened, in arrival order. */
  entries<T = Record<string, unknown>>(): T[] {
    return this.requests.flatMap((r) => {
      const parsed = JSON.parse(r.body) as T | T[];
      return Array.isArray(parsed) ? parsed : [parsed];
    });
  }

  waitForEntries(count: number, timeoutMs = 10_000): Promise<void> {
    return until(() => this.entries().length >= count, timeoutMs, `${count} log entries (have ${this.entries().length})`);
  }

  waitForRequest(url: string, timeoutMs = 10_000): Promise<void> {
    return until(() => this.requests.some((r) => r.url === url), timeoutMs, `a log request to ${url}`);
  }

  up(): Promise<void> {
    const server = createHttpServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        setTimeout(() => {
          if (this.status < 300) this.requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString() });
          res.writeHead(this.status, { 'content-type': 'text/plain' });
          res.end(this.status < 300 ? 'ok' : 'failing on purpose');
        }, this.delayMs);
      });
    });
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    this.server = server;
    return new Promise((resolve) => server.listen(this.port, '127.0.0.1', resolve));
  }

  /** Closes the port and every open connection: the sender sees refused connections. */
  down(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server === null) return Promise.resolve();
    for (const socket of this.sockets) socket.destroy();
    return new Promise((resolve) => server.close(() => resolve()));
  }
}

/** A TCP (optionally TLS) log endpoint collecting newline-delimited JSON, with the same controls. */
export class TcpLogReceiver {
  readonly lines: string[] = [];
  readonly servernames: (string | false)[] = [];
  private server: TcpServer | null = null;
  private readonly sockets = new Set<Socket>();

  private constructor(
    readonly port: number,
    private readonly tls: { key: string; cert: string } | null,
  ) {}

  static async start(tls: { key: string; cert: string } | null = null): Promise<TcpLogReceiver> {
    const receiver = new TcpLogReceiver(await freePort(), tls);
    await receiver.up();
    return receiver;
  }

  entries<T = Record<string, unknown>>(): T[] {
    return this.lines.map((line) => JSON.parse(line) as T);
  }

  waitForEntries(count: number, timeoutMs = 10_000): Promise<void> {
    return until(() => this.lines.length >= count, timeoutMs, `${count} tcp log lines (have ${this.lines.length})`);
  }

  up(): Promise<void> {
    const onSocket = (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('error', () => undefined);
      if (this.tls) this.servernames.push((socket as TLSSocket & { servername?: string | false }).servername ?? false);
      let pending = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => {
        pending += chunk;
        let nl: number;
        while ((nl = pending.indexOf('\n')) !== -1) {
          this.lines.push(pending.slice(0, nl));
          pending = pending.slice(nl + 1);
        }
      });
    };
    const server = this.tls ? createTlsServer(this.tls, onSocket) : createTcpServer(onSocket);
    this.server = server;
    return new Promise((resolve) => server.listen(this.port, '127.0.0.1', resolve));
  }

  down(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server === null) return Promise.resolve();
    for (const socket of this.sockets) socket.destroy();
    return new Promise((resolve) => server.close(() => resolve()));
  }
}
