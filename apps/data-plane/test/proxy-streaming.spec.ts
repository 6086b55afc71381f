import { request as httpRequest } from 'node:http';
import { WebSocket } from 'undici';
import type { RunningDataPlane } from '../src/data-plane';
import { route, service, snapshot } from './support/config-fixtures';
import { startEchoUpstream, type Echo, type EchoUpstream } from './support/echo-upstream';
import { patternHash, postPattern } from './support/pattern-body';
import { startTestDataPlane } from './support/test-data-plane';

const MB = 1024 * 1024;
const SIZE = 50 * MB;

/** Samples heap + buffers while `work` runs; returns the peak growth in bytes. */
async function peakGrowth(work: () => Promise<void>): Promise<number> {
  const used = () => process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
  const start = used();
  let peak = start;
  const sampler = setInterval(() => (peak = Math.max(peak, used())), 5);
  try {
    await work();
  } finally {
    clearInterval(sampler);
  }
  return peak - start;
}

describe('proxying: streaming bodies and upgrades', () => {
  let upstream: EchoUpstream;
  let dp: RunningDataPlane;

  beforeAll(async () => {
    upstream = await startEchoUpstream();
    dp = await startTestDataPlane();
    const echo = service({ host: '127.0.0.1', port: upstream.port });
    expect(await dp.applySnapshot(snapshot({ services: [echo], routes: [route(echo, { paths: ['/s'], request_buffering: false })] }))).toEqual({ ok: true });
  });

  afterAll(async () => {
    await dp.close();
    await upstream.close();
  });

  it('streams a 50 MB chunked upload through: the upstream reads it while it is still being sent', async () => {
    let echo: Echo | null = null;
    let seenMidway = 0;
    const growth = await peakGrowth(async () => {
      echo = await postPattern(`${dp.proxyUrl}/s/upload`, SIZE, () => (seenMidway = upstream.progress.get('/upload') ?? 0));
    });
    expect(echo!.bodyBytes).toBe(SIZE);
    expect(echo!.bodySha256).toBe(patternHash(SIZE));
    expect(echo!.headers['transfer-encoding']).toBe('chunked');
    // When the client had produced its last byte, most of the body had already reached the upstream.
    expect(seenMidway).toBeGreaterThan(SIZE / 2);
    expect(growth).toBeLessThan(SIZE);
  });

  it('streams a 50 MB download through with backpressure', async () => {
    let bytes = 0;
    let length = '';
    const growth = await peakGrowth(
      () =>
        new Promise<void>((resolve, reject) => {
          httpRequest(`${dp.proxyUrl}/s/download?bytes=${SIZE}`, { agent: false }, (res) => {
            length = res.headers['content-length'] ?? '';
            res.on('data', (c: Buffer) => (bytes += c.length));
            res.on('end', resolve);
            res.on('error', reject);
          }).end();
        }),
    );
    expect(length).toBe(String(SIZE));
    expect(bytes).toBe(SIZE);
    expect(growth).toBeLessThan(SIZE);
  });

  it('passes WebSocket upgrades through and relays frames both ways', async () => {
    const ws = new WebSocket(`${dp.proxyUrl.replace('http', 'ws')}/s/socket`);
    const opened = new Promise((resolve, reject) => {
      ws.addEventListener('open', resolve);
      ws.addEventListener('error', reject);
    });
    await opened;
    const echoes: string[] = [];
    const received = new Promise<void>((resolve) =>
      ws.addEventListener('message', (event) => {
        echoes.push(String(event.data));
        if (echoes.length === 2) resolve();
      }),
    );
    ws.send('hello');
    ws.send('world');
    await received;
    expect(echoes).toEqual(['hello', 'world']);
    ws.close();
  });
});
