import { createServer, type Server } from 'node:http';

/** An upstream answering `/status/NNN` with that status (Kong's mock upstream), 200 otherwise. */
export async function startStatusUpstream(): Promise<{ port: number; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const match = /\/status\/(\d{3})/.exec(req.url ?? '');
    const body = JSON.stringify({ url: req.url });
    res.writeHead(match ? Number(match[1]) : 200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
