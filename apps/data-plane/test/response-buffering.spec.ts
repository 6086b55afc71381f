import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import type { RunningDataPlane } from '../src/data-plane';
import { readEdgeSettings } from '../src/proxy/edge-settings';
import { route, service, snapshot } from './support/config-fixtures';
import { startTestDataPlane } from './support/test-data-plane';

const MiB = 1024 * 1024;
/** Larger than what loopback's socket buffers absorb on both legs (a few MiB each), below the proxy's bound. */
const RESPONSE = 48 * MiB;

/** An upstream that sends RESPONSE bytes with backpressure and records when it had handed them all to the OS. */
async function startBulkUpstream(): Promise<{ port: number; finished: Map<string, number>; close(): Promise<void> }> {
  const finished = new Map<string, number>();
  const chunk = Buffer.alloc(256 * 1024, 'r');
  const server: Server = createServer((req, res) => {
    res.writeHead(200, { 'Content-Length': RESPONSE });
    let left = RESPONSE;
    const pump = () => {
      while (left > 0) {
        left -= chunk.length;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
      res.end();
    };
    res.on('finish', () => finished.set(req.url ?? '', Date.now()));
    pump();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    finished,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A client that sends its request and reads nothing for `stallMs`, then reads the whole response; resolves with the bytes read. */
function stalledDownload(proxyUrl: string, path: string, stallMs: number): Promise<number> {
  const { hostname, port } = new URL(proxyUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(`GET ${path} HTTP/1.1\r\nHost: edge.test\r\nConnection: close\r\n\r\n`);
      socket.pause();
      setTimeout(() => socket.resume(), stallMs);
    });
    let bytes = 0;
    socket.on('data', (c: Buffer) => (bytes += c.length));
    socket.on('error', reject);
    socket.on('close', () => resolve(bytes));
  });
}

describe('response_buffering (Kong: on by default)', () => {
  let upstream: Awaited<ReturnType<typeof startBulkUpstream>>;
  let dp: RunningDataPlane;

  beforeAll(async () => {
    upstream = await startBulkUpstream();
    dp = await startTestDataPlane({ edge: readEdgeSettings({ TOLLGATE_PROXY_BUFFER_SIZE: '64m' }) });
    const bulk = service({ host: '127.0.0.1', port: upstream.port });
    const result = await dp.applySnapshot(
      snapshot({
        services: [bulk],
        routes: [route(bulk, { paths: ['/buffered'], strip_path: false }), route(bulk, { paths: ['/streamed'], strip_path: false, response_buffering: false })],
      }),
    );
    expect(result).toEqual({ ok: true });
  });

  afterAll(async () => {
    await dp.close();
    await upstream.close();
  });

  it('reads the whole response from the upstream while the client is not reading, so the upstream is free at once', async () => {
    const started = Date.now();
    const download = stalledDownload(dp.proxyUrl, '/buffered/file', 2000);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(upstream.finished.get('/buffered/file')).toBeDefined();
    expect(upstream.finished.get('/buffered/file')! - started).toBeLessThan(1500);
    expect(await download).toBeGreaterThan(RESPONSE);
  }, 20_000);

  it('with response_buffering false, the upstream waits on the client (backpressure end to end)', async () => {
    const download = stalledDownload(dp.proxyUrl, '/streamed/file', 2000);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(upstream.finished.get('/streamed/file')).toBeUndefined();
    expect(await download).toBeGreaterThan(RESPONSE);
    expect(upstream.finished.get('/streamed/file')).toBeDefined();
  }, 20_000);
});
