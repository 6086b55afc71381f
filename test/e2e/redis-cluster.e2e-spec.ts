/**
 * Both planes on a Redis Cluster (three masters made by `redis-cli --cluster create` on loopback
 * ports of the test's own), given as TOLLGATE_REDIS_CLUSTER seed nodes; REDIS_URL points at a
 * closed port, so nothing works unless the cluster is used. The usage queue (BullMQ, under a
 * hash-tagged prefix) counts N calls as exactly N; the `redis` rate-limiting policy shares its
 * counts between two data planes through the cluster.
 */
import { waitFor } from '@tollgate/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PrivateRedisCluster } from './support/private-redis-cluster';
import { UsagePlatform, type DataPlaneUnderTest } from './support/usage-platform';

jest.setTimeout(120_000);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function call(port: number, path: string): Promise<{ status: number; remaining: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, remaining: res.headers['x-ratelimit-remaining-hour'] as string | undefined }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('Redis Cluster: TOLLGATE_REDIS_CLUSTER for the usage queue and the redis rate-limiting policy', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-redis-cluster-'));
  let cluster: PrivateRedisCluster;
  let platform: UsagePlatform;
  let eu: DataPlaneUnderTest;
  let us: DataPlaneUnderTest;

  beforeAll(async () => {
    cluster = await PrivateRedisCluster.start(dir);
    ({ platform, eu, us } = await UsagePlatform.twoRegions('usage-redis-cluster', {
      redisUrl: 'redis://127.0.0.1:1',
      env: { TOLLGATE_REDIS_CLUSTER: cluster.seeds },
    }));
  });

  afterAll(async () => {
    await platform?.dispose();
    await cluster?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('counts every call exactly once through the cluster, its queue keys in one hash slot', async () => {
    await platform.sendDuring([eu, us], sleep(4000));
    expect(platform.unanswered).toBe(0);
    expect(platform.tally.total.requests).toBeGreaterThan(20);
    await platform.expectExactTotals(45_000);
    const queueKeys = await cluster.keys(`*usage-batches*`);
    expect(queueKeys.length).toBeGreaterThan(0);
    const hashTag = `{${platform.redisKeyPrefix.replace(/:+$/, '')}}`;
    for (const key of queueKeys) expect(key.startsWith(`${hashTag}:usage-batches:`)).toBe(true);
  });

  it("limits calls across both data planes with policy redis naming a seed node: 5 an hour, then 429", async () => {
    const service = await platform.admin.post('/services', { name: 'limited', url: `http://127.0.0.1:${platform.upstreamPort}` });
    expect(service.status).toBe(201);
    expect((await platform.admin.post('/services/limited/routes', { name: 'limited', paths: ['/limited'] })).status).toBe(201);
    const [host, port] = cluster.seeds.split(',')[1].split(':');
    const plugin = await platform.admin.post('/services/limited/plugins', { name: 'rate-limiting', config: { hour: 5, policy: 'redis', fault_tolerant: false, redis: { host, port: Number(port) } } });
    expect(plugin.status).toBe(201);
    // Each plane has the plugin once its answers carry the limit headers (those calls count too).
    const answers: { plane: string; status: number; remaining: string | undefined }[] = [];
    for (const dp of [eu, us]) {
      await waitFor(`${dp.name} limiting`, async () => {
        const answer = await call(dp.proxyPort, '/limited');
        answers.push({ plane: dp.name, ...answer });
        return answer.remaining !== undefined;
      }, 20_000, 100);
    }
    for (let i = 0; i < 8 && answers.at(-1)!.status !== 429; i++) {
      const dp = i % 2 === 0 ? eu : us;
      answers.push({ plane: dp.name, ...(await call(dp.proxyPort, '/limited')) });
    }
    const limited = answers.filter((a) => a.remaining !== undefined);
    // One count shared by both planes: 5 let through in all (not 5 each), then 429.
    expect(limited.filter((a) => a.status === 200).map((a) => a.remaining)).toEqual(['4', '3', '2', '1', '0']);
    expect(limited.at(-1)).toMatchObject({ status: 429 });
    expect(new Set(limited.map((a) => a.plane))).toEqual(new Set(['dp-eu', 'dp-us']));
    const counters = await cluster.keys('*ratelimit*');
    expect(counters.length).toBeGreaterThan(0);
    for (const key of counters) expect(key).toMatch(/ratelimit:\{[^}]+\}:/);
  });
});
