import { request as httpRequest } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDataPlaneProcess, type DataPlaneProcess } from './support/data-plane-process';
import { startEchoUpstream, type Echo, type EchoUpstream } from './support/echo-upstream';
import { patternHash, postPattern } from './support/pattern-body';
import { json, send } from './support/test-data-plane';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
/** What the data plane's RSS may grow by while a 1 GiB body passes: buffers in flight, not the body. */
const FLAT = 96 * MiB;

/**
 * 1 GiB each way through a data-plane process (request_buffering off: streamed, as Kong does then), its resident memory sampled from `/status` all
 * along: bodies stream with backpressure both ways instead of being held.
 */
describe('1 GiB bodies through a data-plane process', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-large-bodies-'));
  let upstream: EchoUpstream;
  let node: DataPlaneProcess;

  beforeAll(async () => {
    upstream = await startEchoUpstream();
    const file = join(dir, 'kong.yml');
    writeFileSync(file, ['_format_version: "3.0"', 'services:', '- name: echo', `  url: http://127.0.0.1:${upstream.port}`, '  routes:', '  - paths: [/big]', '    request_buffering: false'].join('\n'));
    node = await startDataPlaneProcess(file, join(dir, 'prefix'), { TOLLGATE_WORKERS: '0' });
  }, 40_000);

  afterAll(async () => {
    await node.stop();
    await upstream.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const rss = async () => json<{ memory: { rss: number } }>(await send(`${node.status}/status`)).memory.rss;

  /** The data plane's RSS growth over its RSS before `work`, at its peak while `work` ran. */
  async function peakRssGrowth(work: () => Promise<void>): Promise<number> {
    const before = await rss();
    let peak = before;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        peak = Math.max(peak, await rss());
        await new Promise((done) => setTimeout(done, 50));
      }
    })();
    try {
      await work();
    } finally {
      sampling = false;
      await sampler;
    }
    return peak - before;
  }

  it('streams a 1 GiB upload to the upstream intact, with flat memory', async () => {
    let echo: Echo | null = null;
    const growth = await peakRssGrowth(async () => {
      echo = await postPattern(`${node.proxy}/big/upload`, GiB);
    });
    expect(echo!.bodyBytes).toBe(GiB);
    expect(echo!.bodySha256).toBe(patternHash(GiB));
    expect(growth).toBeLessThan(FLAT);
  }, 120_000);

  it('streams a 1 GiB download to the client whole, with flat memory', async () => {
    let bytes = 0;
    const growth = await peakRssGrowth(
      () =>
        new Promise<void>((resolve, reject) => {
          httpRequest(`${node.proxy}/big/download?bytes=${GiB}`, { agent: false }, (res) => {
            res.on('data', (c: Buffer) => (bytes += c.length));
            res.on('end', resolve);
            res.on('error', reject);
          }).end();
        }),
    );
    expect(bytes).toBe(GiB);
    expect(growth).toBeLessThan(FLAT);
  }, 120_000);
});
