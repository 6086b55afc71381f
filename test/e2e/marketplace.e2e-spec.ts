/**
 * The marketplace as a user sees it: plans and subscriptions written through the admin API,
 * synced over gRPC to a real data plane, enforced in front of a real upstream after key-auth.
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

describe('marketplace: plans and subscriptions enforced at the edge', () => {
  let cp: TestControlPlane;
  let admin: AdminClient;
  let upstream: Server;
  let dp: RunningDataPlane;
  let sync: ConfigSyncClient;
  const prefix = mkdtempSync(join(tmpdir(), 'tollgate-marketplace-e2e-'));

  beforeAll(async () => {
    upstream = createServer((req, res) => {
      res.statusCode = req.url!.includes('fail') ? 500 : 200;
      res.end('{}');
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    cp = await startTestControlPlane('marketplace_e2e');
    admin = adminClient(cp.adminUrl);
    const settings = readDataPlaneSettings({ TOLLGATE_NODE_NAME: 'mkt-e2e', TOLLGATE_WORKERS: '0', TOLLGATE_USAGE: 'off', TOLLGATE_LOG_LEVEL: 'silent' });
    dp = await startDataPlane({ ...settings, proxyListen: { host: '127.0.0.1', port: 0 }, proxySslListen: null, statusListen: null, prefix });
    sync = new ConfigSyncClient({
      address: cp.clusterAddress,
      tls: { mode: 'off' },
      nodeId: '00000000-0000-4000-8000-0000000000ab',
      hostname: 'mkt-e2e',
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
    await waitFor('data plane connected', async () => (await admin.get<{ data: unknown[] }>('/clustering/data-planes')).body.data.length === 1);
  });

  afterAll(async () => {
    sync.stop();
    await dp.close();
    await cp.stop();
    await new Promise((resolve) => upstream.close(resolve));
    rmSync(prefix, { recursive: true, force: true });
  });

  const created = async (path: string, body: unknown) => {
    const res = await admin.post(path, body);
    expect([path, res.status, res.body]).toEqual([path, 201, expect.anything()]);
    return res.body as { id: string };
  };
  const call = (path: string, key?: string) => fetch(`${dp.proxyUrl}${path}`, { headers: key ? { apikey: key } : {} });
  /** Waits until the data plane applied the latest write: `path` answers `status`. */
  const until = (path: string, key: string | undefined, status: number) =>
    waitFor(`${path} answers ${status}`, async () => (await call(path, key)).status === status);

  /** A service behind key-auth (anonymous allowed), a consumer with a key, and a plan over it. */
  async function api(name: string, plan: Record<string, unknown>): Promise<{ planId: string; consumerId: string; key: string }> {
    const port = (upstream.address() as { port: number }).port;
    const service = await created('/services', { name, url: `http://127.0.0.1:${port}` });
    await created(`/services/${name}/routes`, { paths: [`/${name}`] });
    const anonymous = await created('/consumers', { username: `${name}-anonymous` });
    await created(`/services/${name}/plugins`, { name: 'key-auth', config: { anonymous: anonymous.id } });
    const consumer = await created('/consumers', { username: `${name}-dev` });
    await created(`/consumers/${name}-dev/key-auth`, { key: `${name}-key` });
    const created_plan = await created('/plans', { name: `${name}-plan`, services: [{ id: service.id }], currency: 'USD', price: 1000, interval: 'month', ...plan });
    return { planId: created_plan.id, consumerId: consumer.id, key: `${name}-key` };
  }

  it('403 without an active subscription (anonymous too), 200 with one, 403 again once canceled', async () => {
    const { planId, consumerId, key } = await api('sub', { quota: null });
    await until('/sub', key, 403);
    const refused = await call('/sub', key);
    expect(await refused.json()).toEqual({ message: 'You are not subscribed to this API' });
    expect((await call('/sub')).status).toBe(403);

    const subscription = await created('/subscriptions', { consumer: { id: consumerId }, plan: { id: planId } });
    await until('/sub', key, 200);
    expect((await call('/sub')).status).toBe(403);

    expect((await admin.post(`/subscriptions/${subscription.id}/cancel`, {})).status).toBe(200);
    await until('/sub', key, 403);
  });

  it('a block plan admits exactly its quota, with RapidAPI headers on every response', async () => {
    const { planId, consumerId, key } = await api('quota', { quota: { limit: 5, per: 'month' } });
    await until('/quota', key, 403);
    await created('/subscriptions', { consumer: { id: consumerId }, plan: { id: planId } });
    await until('/quota/probe-fail', key, 500); // a 5xx: served, and not counted
    const results = await Promise.all(Array.from({ length: 12 }, () => call('/quota', key)));
    expect(results.filter((r) => r.status === 200)).toHaveLength(5);
    expect(results.filter((r) => r.status === 429)).toHaveLength(7);
    const spent = await call('/quota', key);
    expect(spent.status).toBe(429);
    expect(await spent.json()).toEqual({ message: 'You have exceeded the quota of requests of your plan' });
    expect(spent.headers.get('x-ratelimit-requests-limit')).toBe('5');
    expect(spent.headers.get('x-ratelimit-requests-remaining')).toBe('0');
    const reset = Number(spent.headers.get('x-ratelimit-requests-reset'));
    expect(reset).toBeGreaterThan(0);
    expect(reset).toBeLessThanOrEqual(31 * 86400);
  });

  it('5xx responses do not count against the quota unless bill_5xx', async () => {
    const { planId, consumerId, key } = await api('errors', { quota: { limit: 2 } });
    await until('/errors', key, 403);
    await created('/subscriptions', { consumer: { id: consumerId }, plan: { id: planId } });
    await until('/errors/fail', key, 500);
    for (let i = 0; i < 3; i++) expect((await call('/errors/fail', key)).status).toBe(500);
    const first = await call('/errors', key);
    expect([first.status, first.headers.get('x-ratelimit-requests-remaining')]).toEqual([200, '1']);
    expect((await call('/errors', key)).status).toBe(200);
    expect((await call('/errors', key)).status).toBe(429);

    const billed = await api('billed', { quota: { limit: 2 }, bill_5xx: true });
    await until('/billed', billed.key, 403);
    await created('/subscriptions', { consumer: { id: billed.consumerId }, plan: { id: billed.planId } });
    await until('/billed/fail', billed.key, 500);
    // That probe was billed: one of two spent.
    expect((await call('/billed/fail', billed.key)).status).toBe(500);
    expect((await call('/billed', billed.key)).status).toBe(429);
  });

  it('an overage plan keeps serving past its quota', async () => {
    const { planId, consumerId, key } = await api('overage', { quota: { limit: 2 }, overage: { price_per_1000: 50 } });
    await until('/overage', key, 403);
    await created('/subscriptions', { consumer: { id: consumerId }, plan: { id: planId } });
    await until('/overage', key, 200);
    for (let i = 0; i < 3; i++) expect((await call('/overage', key)).status).toBe(200);
    const past = await call('/overage', key);
    expect([past.status, past.headers.get('x-ratelimit-requests-limit'), past.headers.get('x-ratelimit-requests-remaining')]).toEqual([200, '2', '0']);
  });

  it("the plan's rate limit: Kong's headers, then 429 with Retry-After", async () => {
    const { planId, consumerId, key } = await api('rate', { rate_limit: { hour: 3 } });
    await until('/rate', key, 403);
    await created('/subscriptions', { consumer: { id: consumerId }, plan: { id: planId } });
    await until('/rate', key, 200); // the first of three
    const second = await call('/rate', key);
    expect(second.status).toBe(200);
    expect(second.headers.get('x-ratelimit-limit-hour')).toBe('3');
    expect(second.headers.get('x-ratelimit-remaining-hour')).toBe('1');
    expect(second.headers.get('ratelimit-limit')).toBe('3');
    expect(second.headers.get('ratelimit-remaining')).toBe('1');
    expect(Number(second.headers.get('ratelimit-reset'))).toBeGreaterThan(0);
    expect((await call('/rate', key)).status).toBe(200);
    const limited = await call('/rate', key);
    expect(limited.status).toBe(429);
    expect(await limited.json()).toEqual({ message: 'API rate limit exceeded' });
    expect(limited.headers.get('x-ratelimit-remaining-hour')).toBe('0');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});
