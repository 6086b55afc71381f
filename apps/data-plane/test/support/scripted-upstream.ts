import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** What a scripted answer saw of the request. */
export interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export type Script = (seen: Seen, res: ServerResponse) => void;

/**
 * An upstream whose answer each test scripts by path (the first path segment after any prefix the
 * route strips, matched exactly on `req.url` without its query); unscripted paths echo the request
 * as JSON. Counts the requests each path received (a cache hit never reaches it).
 */
export interface ScriptedUpstream {
  readonly port: number;
  readonly hits: Map<string, number>;
  script(path: string, answer: Script): void;
  close(): Promise<void>;
}

export function answer(status: number, headers: Record<string, string | string[]>, body = ''): Script {
  return (_seen, res) => {
    res.writeHead(status, { 'Content-Length': Buffer.byteLength(body), ...headers });
    res.end(body);
  };
}

export async function startScriptedUpstream(): Promise<ScriptedUpstream> {
  const scripts = new Map<string, Script>();
  const hits = new Map<string, number>();
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const seen: Seen = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString() };
      const script = scripts.get(path);
      if (script) return script(seen, res);
      const body = JSON.stringify(seen);
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    hits,
    script: (path, script) => void scripts.set(path, script),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** The upstream of the traffic-plugin delivery tests: `/use` reports one unit used and a secret to remove. */
export async function startTrafficUpstream(): Promise<ScriptedUpstream> {
  const upstream = await startScriptedUpstream();
  upstream.script('/use', (seen, res) => {
    const body = JSON.stringify({ seen: seen.headers, secret: 'hidden' });
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), 'X-Kong-Limit': 'units=1' });
    res.end(body);
  });
  return upstream;
}
