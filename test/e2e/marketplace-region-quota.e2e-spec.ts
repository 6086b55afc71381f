/**
 * A plan's quota shared by the data planes of one region: with TOLLGATE_PLAN_COUNTERS=redis both
 * nodes count in the region's Redis, so together they admit exactly the quota of a block plan.
 */
import { startDataPlane, readDataPlaneSettings, type RunningDataPlane } from '@tollgate/data-plane';
import { ConfigSyncClient, SnapshotFile } from '@tollgate/data-plane-sync';
import { pluginHandlers } from '@tollgate/plugins';
import { adminClient, startTestControlPlane, waitFor, type AdminClient, type TestControlPlane } from '@tollgate/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

jest.setTimeout(60_000);

describe('marketplace: one region, two data planes, one quota', () => {
  let cp: TestControlPlane;
  let admin: AdminClient;
  let upstream: Server;
  const nodes: { dp: RunningDataPlane; sync: ConfigSyncClient; prefix: string }[] = [];

  beforeAll(async () => {
    upstream = createServer((_req, res) => res.end('{}'));
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    cp = await startTestControlPlane('marketplace_region_e2e');
    admin = adminClient(cp.adminUrl);
    for (const n of [1, 2]) {
      const prefix = mkdtempSync(join(tmpdir(), `tollgate-mkt-region-${n}-`));
      const settings = readDataPlaneSettings({
        TOLLGATE_NODE_NAME: `mkt-region-${n}`,
        TOLLGATE_WORKERS: '0',
        TOLLGATE_USAGE: 'off',
        TOLLGATE_LOG_LEVEL: 'silent',
        TOLLGATE_PLAN_COUNTERS: 'redis',
        REDIS_URL: cp.redisUrl,
        TOLLGATE_REDIS_KEY_PREFIX: cp.redisKeyPrefix,
      });
      const dp = await startDataPlane({ ...settings, proxyListen: { host: '127.0.0.1', port: 0 }, proxySslListen: null, statusListen: null, prefix });
      const sync = new ConfigSyncClient({
        address: cp.clusterAddress,
        tls: { mode: 'off' },
        nodeId: `00000000-0000-4000-8000-0000000000c${n}`,
        hostname: `mkt-region-${n}`,
        region: 'default',
        labels: {},
        version: '0.1.0',
        plugins: [...pluginHandlers.keys()],
        applier: dp,
        snapshotFile: new SnapshotFile(prefix),
        heartbeatMs: 200,
        backoff: { initialMs: 50, maxMs: 500 },
      });
      sync.start();
      nodes.push({ dp, sync, prefix });
    }
    await waitFor('data planes connected', async () => (await admin.get<{ data: unknown[] }>('/clustering/data-planes')).body.data.length === 2);
  });

  afterAll(async () => {
    for (const { dp, sync, prefix } of nodes) {
      sync.stop();
      await dp.close();
      rmSync(prefix, { recursive: true, force: true });
    }
    await cp.stop();
    await new Promise((resolve) => upstream.close(resolve));
  });

  it('a block plan with a quota of 10 admits exactly 10 calls over both nodes', async () => {
    const port = (upstream.address() as { port: number }).port;
    const service = (await admin.post('/services', { name: 'shared', url: `http://127.0.0.1:${port}` })).body as { id: string };
    await admin.post('/services/shared/routes', { paths: ['/shared'] });
    await admin.post('/services/shared/plugins', { name: 'key-auth' });
    const consumer = (await admin.post('/consumers', { username: 'dev' })).body as { id: string };
    await admin.post('/consumers/dev/key-auth', { key: 'dev-key' });
    const plan = (await admin.post('/plans', { name: 'ten', services: [{ id: service.id }], currency: 'USD', price: 0, interval: 'day', quota: { limit: 10 } })).body as { id: string };
    const call = (n: number) => fetch(`${nodes[n]!.dp.proxyUrl}/shared`, { headers: { apikey: 'dev-key' } });
    for (const n of [0, 1]) await waitFor(`node ${n} has the plan`, async () => (await call(n)).status === 403);
    expect((await admin.post('/subscriptions', { consumer: { id: consumer.id }, plan: { id: plan.id } })).status).toBe(201);
    // Wait for both nodes by a call each: two of the ten.
    for (const n of [0, 1]) await waitFor(`node ${n} has the subscription`, async () => (await call(n)).status === 200);
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => call(i % 2)));
    expect(results.filter((r) => r.status === 200)).toHaveLength(8);
    expect(results.filter((r) => r.status === 429)).toHaveLength(22);
    const last = await call(0);
    expect([last.status, last.headers.get('x-ratelimit-requests-remaining')]).toEqual([429, '0']);
  });
});
