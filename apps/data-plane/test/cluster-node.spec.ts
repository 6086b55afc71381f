import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDataPlaneProcess, type DataPlaneProcess } from './support/data-plane-process';
import { startEchoUpstream, type EchoUpstream } from './support/echo-upstream';
import { json, send } from './support/test-data-plane';

/**
 * `npm run data-plane` as an operator runs it: node:cluster and a Kong declarative file. With two
 * workers the local counts meet in the primary; a single worker keeps them itself (no IPC).
 */
describe.each([2, 1])('data-plane node with %i cluster worker(s) and a declarative file', (workers) => {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-cluster-'));
  let upstream: EchoUpstream;
  let node: DataPlaneProcess;
  let proxy: string;
  let status: string;

  beforeAll(async () => {
    upstream = await startEchoUpstream();
    const file = join(dir, 'kong.yml');
    writeFileSync(
      file,
      [
        '_format_version: "3.0"',
        'services:',
        '- name: echo',
        `  url: http://127.0.0.1:${upstream.port}/base`,
        '  routes:',
        '  - name: api',
        '    paths: [/api]',
        '  plugins:',
        '  - name: rate-limiting',
        '    config: { hour: 20, limit_by: ip }',
      ].join('\n'),
    );
    node = await startDataPlaneProcess(file, join(dir, 'prefix'), { TOLLGATE_WORKERS: String(workers) });
    ({ proxy, status } = node);
  }, 40_000);

  afterAll(async () => {
    await node.stop();
    await upstream.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the declarative file at once, through its workers', async () => {
    const reply = await send(`${proxy}/api/items`);
    expect(reply.status).toBe(200);
    expect(json<{ url: string }>(reply).url).toBe('/base/items');
  });

  it('keeps one local rate-limit count for the whole node, not one per worker', async () => {
    const seen: number[] = [];
    // Fresh connections spread over the workers; pauses let their counts meet in the primary.
    for (let i = 0; i < 24; i++) {
      seen.push((await send(`${proxy}/api/x`)).status);
      await new Promise((done) => setTimeout(done, 30));
    }
    expect(seen.filter((s) => s === 200)).toHaveLength(19); // 20 per hour, one used by the test above
    expect(seen.slice(-4)).toEqual([429, 429, 429, 429]);
  });

  it('reports the node as a whole at /status and /metrics', async () => {
    const body = json<{ workers: number; server: { total_requests: number } }>(await send(`${status}/status`));
    expect(body.workers).toBe(workers);
    expect(body.server.total_requests).toBeGreaterThanOrEqual(25);
    expect((await send(`${status}/metrics`)).body).toMatch(/tollgate_http_requests_total\{status_class="4xx"\} [1-9]/);
  });

  it('drains and exits on SIGTERM', async () => {
    expect(await node.stop()).toBe(0);
  });
});
