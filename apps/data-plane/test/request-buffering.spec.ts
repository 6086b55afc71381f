import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDataPlaneProcess, type DataPlaneProcess } from './support/data-plane-process';
import { startEchoUpstream, type Echo, type EchoUpstream } from './support/echo-upstream';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A POST whose body trickles: `chunks` pieces of `size` bytes every `everyMs`, chunked (no
 * Content-Length) when `chunked`. Resolves with the upstream's echo.
 */
function slowUpload(url: string, chunks: number, size: number, everyMs: number, chunked = false): Promise<Echo> {
  return new Promise((resolve, reject) => {
    const headers = chunked ? {} : { 'Content-Length': String(chunks * size) };
    const req = httpRequest(url, { method: 'POST', agent: false, headers }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(body) as Echo) : reject(new Error(`${res.statusCode} ${body}`))));
    });
    req.on('error', reject);
    let sent = 0;
    const drip = setInterval(() => {
      req.write(Buffer.alloc(size, 'b'));
      if (++sent === chunks) {
        clearInterval(drip);
        req.end();
      }
    }, everyMs);
  });
}

const sha256 = (bytes: number, fill: string) => createHash('sha256').update(Buffer.alloc(bytes, fill)).digest('hex');

describe('request_buffering (Kong: on by default) through a data-plane process', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-buffering-'));
  const prefix = join(dir, 'prefix');
  let upstream: EchoUpstream;
  let node: DataPlaneProcess;

  beforeAll(async () => {
    upstream = await startEchoUpstream();
    const file = join(dir, 'kong.yml');
    writeFileSync(
      file,
      [
        '_format_version: "3.0"',
        'services:',
        '- name: echo',
        `  url: http://127.0.0.1:${upstream.port}`,
        '  routes:',
        '  - paths: [/buffered]',
        '    strip_path: false',
        '  - paths: [/streamed]',
        '    strip_path: false',
        '    request_buffering: false',
      ].join('\n'),
    );
    node = await startDataPlaneProcess(file, prefix, { TOLLGATE_CLIENT_BODY_BUFFER_SIZE: '16k' });
  }, 40_000);

  afterAll(async () => {
    await node.stop();
    await upstream.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** 20 uploads of 12 pieces every 100 ms; what the upstream had seen of them halfway through. */
  async function slowUploads(path: string): Promise<{ seenHalfway: number; newConnectionsHalfway: number; openHalfway: number; echoes: Echo[] }> {
    const before = upstream.connections;
    const uploads = Array.from({ length: 20 }, (_, i) => slowUpload(`${node.proxy}${path}/${i}`, 12, 1000, 100));
    await sleep(600);
    const seenHalfway = [...upstream.progress.keys()].filter((url) => url.startsWith(`${path}/`)).length;
    return { seenHalfway, newConnectionsHalfway: upstream.connections - before, openHalfway: upstream.openConnections, echoes: await Promise.all(uploads) };
  }

  it('reads slow uploads whole before opening the upstream request: no upstream connection held meanwhile', async () => {
    const { seenHalfway, newConnectionsHalfway, openHalfway, echoes } = await slowUploads('/buffered');
    expect(seenHalfway).toBe(0);
    expect(newConnectionsHalfway).toBe(0);
    expect(openHalfway).toBe(0);
    for (const echo of echoes) expect(echo).toMatchObject({ bodyBytes: 12_000, bodySha256: sha256(12_000, 'b') });
    for (const echo of echoes) expect(echo.headers['content-length']).toBe('12000');
  }, 20_000);

  it('with request_buffering false, streams them: the upstream holds one connection per upload while they trickle', async () => {
    const { seenHalfway, openHalfway, echoes } = await slowUploads('/streamed');
    expect(seenHalfway).toBe(20);
    expect(openHalfway).toBeGreaterThanOrEqual(20);
    for (const echo of echoes) expect(echo.bodyBytes).toBe(12_000);
  }, 20_000);

  it('spills a body past the memory bound to a temp file under the prefix, sends it whole with its length, and removes the file', async () => {
    // 24 pieces of 10 kB, chunked by the client: 240 kB, 15 times the 16 kB memory bound.
    const echo = await slowUpload(`${node.proxy}/buffered/large`, 24, 10_000, 5, true);
    expect(echo).toMatchObject({ bodyBytes: 240_000, bodySha256: sha256(240_000, 'b') });
    expect(echo.headers['content-length']).toBe('240000');
    expect(echo.headers['transfer-encoding']).toBeUndefined();
    expect(readdirSync(join(prefix, 'tmp'))).toEqual([]);
  });

  it('never opens the upstream request for a body the client abandons, and leaves no temp file', async () => {
    const url = '/buffered/abandoned';
    await new Promise<void>((resolve) => {
      const req = httpRequest(`${node.proxy}${url}`, { method: 'POST', agent: false, headers: { 'Content-Length': '100000' } });
      req.on('error', () => resolve());
      req.write(Buffer.alloc(50_000, 'a'));
      setTimeout(() => {
        req.destroy();
        resolve();
      }, 300);
    });
    await sleep(300);
    expect(upstream.progress.has(url)).toBe(false);
    expect(readdirSync(join(prefix, 'tmp'))).toEqual([]);
  });
});
