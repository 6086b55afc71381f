import { request as httpRequest } from 'node:http';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { RunningDataPlane } from '../src/data-plane';
import { route, service, snapshot, target, upstream as upstreamEntity } from './support/config-fixtures';
import { startEchoUpstream, type EchoUpstream } from './support/echo-upstream';
import { json, send, sendRaw, startTestDataPlane } from './support/test-data-plane';

/** A port nothing listens on: bound once, then released. */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Accepts connections and never reads from them: its receive buffer fills and writes stall. */
async function startBlackHole(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    socket.pause();
    sockets.add(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe('proxying: upstream failures and refused requests', () => {
  let echo: EchoUpstream;
  let hole: Awaited<ReturnType<typeof startBlackHole>>;
  let dp: RunningDataPlane;
  let dead: number;

  beforeAll(async () => {
    [echo, hole, dead] = await Promise.all([startEchoUpstream(), startBlackHole(), deadPort()]);
    dp = await startTestDataPlane({ maxHeaderSize: 8192 });
    const quick = service({ host: '127.0.0.1', port: echo.port, read_timeout: 300 });
    const gone = service({ host: '127.0.0.1', port: dead, retries: 2 });
    const stalled = service({ host: '127.0.0.1', port: hole.port, write_timeout: 300, read_timeout: 5000 });
    const pool = upstreamEntity('pool.internal');
    const balanced = service({ host: 'pool.internal', port: 80 });
    const result = await dp.applySnapshot(
      snapshot({
        services: [quick, gone, stalled, balanced],
        upstreams: [pool],
        // One dead target and one live one: a connection refused is retried on the other.
        targets: [target(pool, `127.0.0.1:${dead}`), target(pool, `127.0.0.1:${echo.port}`)],
        routes: [
          // Streamed bodies (Kong's request_buffering off): the upstream sees a body the client abandons.
          route(quick, { paths: ['/quick'], request_buffering: false }),
          route(gone, { paths: ['/gone'] }),
          route(stalled, { paths: ['/stalled'] }),
          route(balanced, { paths: ['/balanced'] }),
        ],
      }),
    );
    expect(result).toEqual({ ok: true });
  });

  afterAll(async () => {
    await dp.close();
    await Promise.all([echo.close(), hole.close()]);
  });

  it('answers 504 when the upstream does not answer within read_timeout', async () => {
    const started = Date.now();
    const reply = await send(`${dp.proxyUrl}/quick/hang`);
    expect(reply.status).toBe(504);
    expect(json(reply)).toEqual({ message: 'The upstream server is timing out' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
  });

  it('answers 502 when the upstream resets the connection or answers garbage', async () => {
    for (const path of ['/quick/reset', '/quick/garbage']) {
      const reply = await send(`${dp.proxyUrl}${path}`);
      expect(reply.status).toBe(502);
      expect(json(reply)).toEqual({ message: 'An invalid response was received from the upstream server' });
    }
  });

  it('answers 502 after its retries when the upstream refuses connections', async () => {
    const reply = await send(`${dp.proxyUrl}/gone`);
    expect(reply.status).toBe(502);
  });

  it('retries a refused connection on another target of the upstream', async () => {
    for (let i = 0; i < 4; i++) expect((await send(`${dp.proxyUrl}/balanced/x`)).status).toBe(200);
  });

  it('answers 504 when the upstream stops reading the body for write_timeout', async () => {
    const reply = await send(`${dp.proxyUrl}/stalled`, { method: 'POST', body: Buffer.alloc(32 * 1024 * 1024) });
    expect(reply.status).toBe(504);
  });

  it('aborts the upstream request when the client disconnects mid-body', async () => {
    const req = httpRequest(`${dp.proxyUrl}/quick/upload-abort`, {
      method: 'POST',
      headers: { 'content-length': String(1024 * 1024) },
      agent: false,
    });
    req.on('error', () => undefined);
    req.write(Buffer.alloc(64 * 1024));
    await new Promise((resolve) => setTimeout(resolve, 100));
    req.destroy();
    for (let i = 0; i < 50 && echo.aborted.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(echo.aborted).toContain('/upload-abort');
  });

  it('refuses request smuggling: Content-Length with Transfer-Encoding, two lengths, two hosts', async () => {
    const both = await sendRaw(dp.proxyUrl, 'POST /quick HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /x HTTP/1.1\r\nHost: a\r\n\r\n');
    expect(both).toMatch(/^HTTP\/1.1 400 /);
    expect(both).toContain('{"message":"Bad request"}');
    expect(both.match(/HTTP\/1.1/g)).toHaveLength(1);
    expect(await sendRaw(dp.proxyUrl, 'POST /quick HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!')).toMatch(/^HTTP\/1.1 400 /);
    expect(await sendRaw(dp.proxyUrl, 'GET /quick HTTP/1.1\r\nHost: a\r\nHost: b\r\nConnection: close\r\n\r\n')).toMatch(/^HTTP\/1.1 400 /);
  });

  it('answers 431 to a request head larger than maxHeaderSize', async () => {
    const reply = await sendRaw(dp.proxyUrl, `GET /quick HTTP/1.1\r\nHost: a\r\nX-Big: ${'a'.repeat(10000)}\r\n\r\n`);
    expect(reply).toMatch(/^HTTP\/1.1 431 /);
    expect(reply).toContain('{"message":"Request header fields too large"}');
  });
});
