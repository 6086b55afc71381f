import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDataPlaneProcess, type DataPlaneProcess } from './support/data-plane-process';
import { startEchoUpstream, type EchoUpstream } from './support/echo-upstream';
import { json, send } from './support/test-data-plane';

const CONSUMERS = 5_000;

/** A declarative file large enough that a worker takes a visible while to build it. */
function kongYml(port: number): string {
  const lines = ['_format_version: "3.0"', 'services:', '- name: echo', `  url: http://127.0.0.1:${port}`, '  routes:', '  - { name: api, paths: [/api], plugins: [{ name: key-auth }] }', 'consumers:'];
  for (let i = 0; i < CONSUMERS; i++) lines.push(`- { username: c${i}, keyauth_credentials: [{ key: key-${i} }] }`);
  return lines.join('\n');
}

/**
 * `/status/ready` answers 200 only once every worker serves the config: the primary accepting it
 * is not enough (before, a load balancer could send traffic to workers still building it, which
 * answered 404 "no route"). The workers accept their own connections (SCHED_NONE).
 */
describe('a two-worker node starting with a large declarative file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-ready-'));
  let upstream: EchoUpstream;
  let node: DataPlaneProcess;

  beforeAll(async () => {
    upstream = await startEchoUpstream();
    const file = join(dir, 'kong.yml');
    writeFileSync(file, kongYml(upstream.port));
    // Resolves at the first 200 from /status/ready.
    node = await startDataPlaneProcess(file, join(dir, 'prefix'), { TOLLGATE_WORKERS: '2' });
  }, 90_000);

  afterAll(async () => {
    await node?.stop();
    await upstream.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is ready only when every worker serves the config: the first requests after it all reach the upstream', async () => {
    const statuses: number[] = [];
    // Fresh connections, so both workers are asked.
    for (let i = 0; i < 10; i++) statuses.push((await send(`${node.proxy}/api/x`, { headers: { apikey: `key-${CONSUMERS - 1 - i}`, connection: 'close' } })).status);
    expect(statuses).toEqual(Array(10).fill(200));
    const status = json<{ workers: number; configuration: { version: number } }>(await send(`${node.status}/status`));
    expect(status.workers).toBe(2);
  });

  it('still refuses an unknown key (the consumers are the file\'s)', async () => {
    expect((await send(`${node.proxy}/api/x`, { headers: { apikey: 'nope' } })).status).toBe(401);
  });
});
