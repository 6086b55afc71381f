import { Redis } from 'ioredis';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDataPlaneProcess, type DataPlaneProcess } from './support/data-plane-process';
import { startEchoUpstream, type EchoUpstream } from './support/echo-upstream';
import { redisPrefix, send } from './support/test-data-plane';

/** Two data-plane processes (two nodes, as in two regions) enforcing one limit through Redis. */
describe('rate-limiting with policy redis across two data-plane processes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-redis-limit-'));
  const prefix = redisPrefix('rate-limiting-processes');
  let upstream: EchoUpstream;
  let nodes: DataPlaneProcess[] = [];
  const redis = new Redis({ host: '127.0.0.1', port: 6379 });

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
        '  - name: limited',
        '    paths: [/limited]',
        '  plugins:',
        '  - name: rate-limiting',
        // One window only, and an hour long: a minute window can roll over between two calls.
        '    config: { hour: 5, policy: redis, redis: { host: 127.0.0.1, port: 6379 } }',
      ].join('\n'),
    );
    const env = { TOLLGATE_REDIS_KEY_PREFIX: prefix };
    nodes = await Promise.all([startDataPlaneProcess(file, join(dir, 'a'), env), startDataPlaneProcess(file, join(dir, 'b'), env)]);
  }, 40_000);

  afterAll(async () => {
    for (const node of nodes) await node.stop();
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
    await upstream.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('counts the calls of both nodes against one limit, with the remaining count shared', async () => {
    const replies = [];
    for (let i = 0; i < 7; i++) replies.push(await send(`${nodes[i % 2]!.proxy}/limited`));
    expect(replies.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 429, 429]);
    expect(replies.slice(0, 5).map((r) => r.headers['x-ratelimit-remaining-hour'])).toEqual(['4', '3', '2', '1', '0']);
    expect(replies[5]!.headers['retry-after']).toBeDefined();
    expect((await redis.keys(`${prefix}ratelimit:*`)).length).toBeGreaterThan(0);
  });
});
