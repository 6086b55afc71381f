import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type AddressInfo } from 'node:net';
import type { RunningDataPlane } from '../src/data-plane';
import { readEdgeSettings } from '../src/proxy/edge-settings';
import { route, service, snapshot } from './support/config-fixtures';
import { startTestDataPlane } from './support/test-data-plane';

const MiB = 1024 * 1024;
/** Larger than what loopback's socket buffers absorb on both legs (a few MiB each) and than the proxy's 1 MiB bound. */
const RESPONSE = 48 * MiB;
const CHUNK = randomBytes(256 * 1024);
const RESPONSE_SHA256 = (() => {
  const hash = createHash('sha256');
  for (let i = 0; i < RESPONSE / CHUNK.length; i++) hash.update(CHUNK);
  return hash.digest('hex');
})();

/** An upstream that sends RESPONSE bytes with backpressure and records when it had handed them all to the OS. */
async function startBulkUpstream(): Promise<{ port: number; finished: Map<string, number>; close(): Promise<void> }> {
  const finished = new Map<string, number>();
  const chunk = CHUNK;
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

/** A client that sends its request and reads nothing for `stallMs`, then reads the whole response; resolves with its body's size and sha256. */
function stalledDownload(proxyUrl: string, path: string, stallMs: number): Promise<{ bytes: number; sha256: string }> {
  const { hostname, port } = new URL(proxyUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(`GET ${path} HTTP/1.1\r\nHost: edge.test\r\nConnection: close\r\n\r\n`);
      socket.pause();
      setTimeout(() => socket.resume(), stallMs);
    });
    let head: Buffer | null = Buffer.alloc(0);
    let bytes = 0;
    const hash = createHash('sha256');
    socket.on('data', (chunk: Buffer) => {
      let body: Buffer = chunk;
      if (head !== null) {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf('\r\n\r\n');
        if (end === -1) return;
        body = head.subarray(end + 4);
        head = null;
      }
      bytes += body.length;
      hash.update(body);
    });
    socket.on('error', reject);
    socket.on('close', () => resolve({ bytes, sha256: hash.digest('hex') }));
  });
}

/** Descriptors this process (the in-process data plane's) holds open on files under `dir`, deleted ones included. */
function openFilesUnder(dir: string): string[] {
  return readdirSync('/proc/self/fd')
    .map((fd) => {
      try {
        return readlinkSync(`/proc/self/fd/${fd}`);
      } catch {
        return '';
      }
    })
    .filter((target) => target.startsWith(dir));
}

describe('response_buffering (Kong: on by default)', () => {
  const prefix = mkdtempSync(join(tmpdir(), 'tollgate-response-buffering-'));
  let upstream: Awaited<ReturnType<typeof startBulkUpstream>>;
  let dp: RunningDataPlane;

  beforeAll(async () => {
    upstream = await startBulkUpstream();
    dp = await startTestDataPlane({ prefix, edge: readEdgeSettings({ TOLLGATE_PROXY_BUFFER_SIZE: '1m' }) });
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
    rmSync(prefix, { recursive: true, force: true });
  });

  it('reads the whole response from the upstream while the client is not reading (1 MiB in memory, the rest in a temp file), so the upstream is free at once', async () => {
    const started = Date.now();
    const download = stalledDownload(dp.proxyUrl, '/buffered/file', 2000);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(upstream.finished.get('/buffered/file')).toBeDefined();
    expect(upstream.finished.get('/buffered/file')! - started).toBeLessThan(1500);
    expect(await download).toEqual({ bytes: RESPONSE, sha256: RESPONSE_SHA256 });
    expect(readdirSync(join(prefix, 'tmp'))).toEqual([]); // unlinked as soon as opened
  }, 20_000);

  it('drops the temp file of a client that leaves mid-response, and serves the next one whole', async () => {
    const { hostname, port } = new URL(dp.proxyUrl);
    await new Promise<void>((resolve) => {
      const socket = connect(Number(port), hostname, () => {
        socket.write('GET /buffered/left HTTP/1.1\r\nHost: edge.test\r\n\r\n');
        socket.pause();
        setTimeout(() => socket.destroy(), 800);
      });
      socket.on('close', () => resolve());
    });
    expect(upstream.finished.get('/buffered/left')).toBeDefined(); // it was spooling
    expect(await stalledDownload(dp.proxyUrl, '/buffered/after', 0)).toEqual({ bytes: RESPONSE, sha256: RESPONSE_SHA256 });
    expect(readdirSync(join(prefix, 'tmp'))).toEqual([]);
    expect(openFilesUnder(prefix)).toEqual([]); // the unlinked file's descriptor is closed too
  }, 20_000);

  it('with response_buffering false, the upstream waits on the client (backpressure end to end)', async () => {
    const download = stalledDownload(dp.proxyUrl, '/streamed/file', 2000);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(upstream.finished.get('/streamed/file')).toBeUndefined();
    expect(await download).toEqual({ bytes: RESPONSE, sha256: RESPONSE_SHA256 });
    expect(upstream.finished.get('/streamed/file')).toBeDefined();
  }, 20_000);
});
