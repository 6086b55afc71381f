import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { RunningDataPlane } from '../src/data-plane';
import { route, service, snapshot } from './support/config-fixtures';
import { memoryLogger } from './support/memory-logger';
import { sendRaw, startTestDataPlane } from './support/test-data-plane';

/** What a raw upstream answers per request path: bytes to write, then whether to reset the connection. */
const ANSWERS: Record<string, { raw: string; reset?: boolean }> = {
  '/bad-chunk-first': { raw: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n' },
  '/bad-chunk-later': { raw: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nzz\r\n' },
  '/short-body': { raw: 'HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten b' },
  '/bad-length': { raw: 'HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\nhello' },
  '/reset-after-head': { raw: 'HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n', reset: true },
  '/reset-mid-body': { raw: 'HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc', reset: true },
};

/** An upstream that answers each request with the bytes above, whatever HTTP says. */
async function startBrokenUpstream(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.once('data', (data: Buffer) => {
      const path = data.toString('latin1').split(' ')[1] ?? '';
      const answer = ANSWERS[path] ?? ANSWERS['/bad-chunk-first']!;
      if (!answer.reset) return void socket.end(answer.raw);
      socket.write(answer.raw);
      setTimeout(() => socket.resetAndDestroy(), 50);
    });
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

const BAD_GATEWAY = /^HTTP\/1\.1 502 [^\r]*\r\n[\s\S]*\r\n\r\n\{"message":"An invalid response was received from the upstream server"\}$/;

/** The client saw a 200 head and then its connection closed before the body was whole. */
function cutMidResponse(raw: string): boolean {
  return raw.startsWith('HTTP/1.1 200 ') && (/content-length: 100/i.test(raw) ? raw.length - raw.indexOf('\r\n\r\n') - 4 < 100 : !raw.endsWith('0\r\n\r\n'));
}

describe('upstream protocol errors in the response', () => {
  let upstream: Awaited<ReturnType<typeof startBrokenUpstream>>;
  let dp: RunningDataPlane;
  const log = memoryLogger('warn');

  beforeAll(async () => {
    upstream = await startBrokenUpstream();
    dp = await startTestDataPlane({}, { logger: log.logger });
    const broken = service({ name: 'broken', host: '127.0.0.1', port: upstream.port, retries: 0 });
    const result = await dp.applySnapshot(
      snapshot({
        services: [broken],
        routes: [route(broken, { paths: ['/buffered'] })],
      }),
    );
    expect(result).toEqual({ ok: true });
  });

  afterAll(async () => {
    await dp.close();
    await upstream.close();
  });

  const get = (path: string) => sendRaw(dp.proxyUrl, `GET ${path} HTTP/1.1\r\nHost: edge.test\r\nConnection: close\r\n\r\n`, 3000);

  it.each(['/bad-chunk-first', '/bad-length', '/reset-after-head'])("answers Kong's 502 when nothing was sent yet: %s", async (path) => {
    expect(await get(`/buffered${path}`)).toMatch(BAD_GATEWAY);
  });

  it.each(['/bad-chunk-later', '/short-body', '/reset-mid-body'])('closes the client connection once part of the response was sent: %s', async (path) => {
    const raw = await get(`/buffered${path}`);
    expect(cutMidResponse(raw)).toBe(true);
  });

  it('logs the failure naming the service and the upstream address', () => {
    const lines = log.lines().map((l) => String(l.msg));
    expect(lines.some((m) => m.startsWith(`upstream protocol error from broken (127.0.0.1:${upstream.port})`))).toBe(true);
  });
});
