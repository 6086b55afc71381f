/**
 * Kong's spec/03-plugins/31-proxy-cache/03-api_spec.lua ("delete a cache entry", "purge all the
 * cache entries", "delete a non-existing plugins's cache key") across the planes: the admin API's
 * purge travels as a plugin message down every data plane's sync stream.
 */
import { startDataPlane, type RunningDataPlane } from '@tollgate/data-plane';
import { ConfigSyncClient, SnapshotFile } from '@tollgate/data-plane-sync';
import { processCache } from '@tollgate/plugins';
import { adminClient, startTestControlPlane, waitFor, type TestControlPlane } from '@tollgate/testing';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDataPlaneProcess } from '../../apps/data-plane/test/support/data-plane-process';
import { startScriptedUpstream, type ScriptedUpstream } from '../../apps/data-plane/test/support/scripted-upstream';
import { send, testSettings } from '../../apps/data-plane/test/support/test-data-plane';

jest.setTimeout(60_000);

describe('proxy-cache purges through the admin API reach every data plane', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-purge-'));
  let upstream: ScriptedUpstream;
  let cp: TestControlPlane;
  const planes: { dp: RunningDataPlane; sync: ConfigSyncClient }[] = [];
  let pluginId = '';

  const status = async (dp: RunningDataPlane, path = '/cached/get') => {
    const res = await send(`${dp.proxyUrl}${path}`);
    return { status: String(res.headers['x-cache-status']), key: String(res.headers['x-cache-key']) };
  };

  beforeAll(async () => {
    upstream = await startScriptedUpstream();
    cp = await startTestControlPlane('proxy_cache_purge');
    // Two data planes in this one process would share its cache; one serves, the other only
    // proves the message reaches its stream. Each counts what it was handed.
    for (let i = 0; i < 2; i++) {
      const prefix = join(dir, `dp${i}`);
      const dp = await startDataPlane(testSettings({ prefix }));
      const sync = new ConfigSyncClient({
        address: cp.clusterAddress,
        tls: { mode: 'off' },
        nodeId: `00000000-0000-4000-8000-0000000000c${i}`,
        hostname: `purge-${i}`,
        region: 'default',
        labels: {},
        version: '0.1.0',
        plugins: ['proxy-cache', 'key-auth', 'rate-limiting'],
        applier: dp,
        snapshotFile: new SnapshotFile(prefix),
        heartbeatMs: 200,
        backoff: { initialMs: 50, maxMs: 500 },
      });
      sync.start();
      planes.push({ dp, sync });
    }
    const admin = adminClient(cp.adminUrl);
    expect((await admin.post('/services', { name: 'echo', url: `http://127.0.0.1:${upstream.port}` })).status).toBe(201);
    expect((await admin.post('/services/echo/routes', { name: 'cached', paths: ['/cached'] })).status).toBe(201);
    const created = await admin.post<{ id: string }>('/services/echo/plugins', { name: 'proxy-cache', config: { strategy: 'memory' } });
    expect(created.status).toBe(201);
    pluginId = created.body.id;
    for (const { dp } of planes) await waitFor('proxy-cache synced', async () => (await status(dp)).status !== 'undefined');
  });

  afterAll(async () => {
    for (const { dp, sync } of planes) {
      sync.stop();
      await dp.close();
    }
    await cp.stop();
    await upstream.close();
    processCache.purge(null, null);
    rmSync(dir, { recursive: true, force: true });
  });

  it('purges one key with DELETE /proxy-cache/{plugin}/caches/{key}, and 404s an unknown plugin', async () => {
    const dp = planes[0]!.dp;
    const { key } = await status(dp);
    expect((await status(dp)).status).toBe('Hit');
    const admin = adminClient(cp.adminUrl);
    expect((await admin.delete(`/proxy-cache/${pluginId}/caches/${key}`)).status).toBe(204);
    await waitFor('purged', async () => (await status(dp)).status === 'Miss');
    expect((await admin.delete(`/proxy-cache/00000000-0000-4000-8000-000000000999/caches/${key}`)).status).toBe(404);
  });

  it('purges a key with DELETE /proxy-cache/{key} and everything with DELETE /proxy-cache', async () => {
    const dp = planes[0]!.dp;
    const admin = adminClient(cp.adminUrl);
    const one = await status(dp, '/cached/get?one');
    await status(dp, '/cached/get?two');
    expect((await status(dp, '/cached/get?one')).status).toBe('Hit');
    expect((await admin.delete(`/proxy-cache/${one.key}`)).status).toBe(204);
    await waitFor('key purged', async () => (await status(dp, '/cached/get?one')).status === 'Miss');
    expect((await status(dp, '/cached/get?two')).status).toBe('Hit');
    expect((await admin.delete('/proxy-cache')).status).toBe(204);
    await waitFor('all purged', async () => (await status(dp, '/cached/get?two')).status === 'Miss');
  });

  it('sends the purge down every connected data plane', async () => {
    const seen: unknown[][] = planes.map(() => []);
    planes.forEach(({ dp }, i) => {
      const deliver = dp.pluginMessage.bind(dp);
      (dp as { pluginMessage: RunningDataPlane['pluginMessage'] }).pluginMessage = (plugin, payload) => {
        seen[i]!.push([plugin, payload]);
        deliver(plugin, payload);
      };
    });
    expect((await adminClient(cp.adminUrl).delete('/proxy-cache/some-key')).status).toBe(204);
    await waitFor('both planes got it', () => seen.every((s) => s.length > 0));
    for (const s of seen) expect(s).toEqual([['proxy-cache', { plugin: null, key: 'some-key' }]]);
  });

  it('reaches every worker of a data-plane node run with node:cluster (primary -> worker IPC)', async () => {
    // The node starts from an empty declarative file, then takes the control plane's config.
    const file = join(dir, 'empty.json');
    writeFileSync(file, JSON.stringify({ _format_version: '3.0' }));
    const node = await startDataPlaneProcess(file, join(dir, 'node'), {
      TOLLGATE_CONTROL_PLANE: cp.clusterAddress,
      TOLLGATE_CLUSTER_MTLS: 'off',
      TOLLGATE_WORKERS: '2',
      // Round-robin, so that successive connections reach both workers (with the default
      // SCHED_NONE the kernel may give every one of them to the same worker).
      NODE_CLUSTER_SCHED_POLICY: 'rr',
    });
    try {
      const get = async () => String((await send(`${node.proxy}/cached/get?cluster`)).headers['x-cache-status']);
      await waitFor('config synced to the node', async () => (await get()) !== 'undefined');
      // New connections alternate between the two workers: four calls warm both caches.
      const warm = [await get(), await get(), await get(), await get()];
      expect(warm.slice(2)).toEqual(['Hit', 'Hit']);
      expect((await adminClient(cp.adminUrl).delete('/proxy-cache')).status).toBe(204);
      await waitFor('purged on both workers', async () => [await get(), await get()].every((s) => s === 'Miss'));
    } finally {
      await node.stop();
    }
  });
});
