/**
 * The traffic plugins written through the admin API and synced over gRPC to a real data plane
 * (the declarative-file case is apps/data-plane/test/traffic-plugins-declarative.spec.ts).
 */
import { startDataPlane, type RunningDataPlane } from '@tollgate/data-plane';
import { ConfigSyncClient, SnapshotFile } from '@tollgate/data-plane-sync';
import { adminClient, startTestControlPlane, waitFor, type TestControlPlane } from '@tollgate/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTrafficUpstream, type ScriptedUpstream } from '../../apps/data-plane/test/support/scripted-upstream';
import { send, testSettings } from '../../apps/data-plane/test/support/test-data-plane';
import { expectEveryPluginRuns, TRAFFIC_PLUGINS } from '../../apps/data-plane/test/support/traffic-plugins';

jest.setTimeout(60_000);

describe('traffic plugins through the admin API and config sync', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-traffic-sync-'));
  let upstream: ScriptedUpstream;
  let cp: TestControlPlane;
  let dp: RunningDataPlane;
  let sync: ConfigSyncClient;

  beforeAll(async () => {
    upstream = await startTrafficUpstream();
    cp = await startTestControlPlane('traffic_plugins');
    dp = await startDataPlane(testSettings({ prefix: dir }));
    sync = new ConfigSyncClient({
      address: cp.clusterAddress,
      tls: { mode: 'off' },
      nodeId: '00000000-0000-4000-8000-00000000aa14',
      hostname: 'traffic',
      region: 'default',
      labels: {},
      version: '0.1.0',
      plugins: TRAFFIC_PLUGINS(0).map((p) => p.name).concat('key-auth', 'rate-limiting'),
      applier: dp,
      snapshotFile: new SnapshotFile(dir),
      heartbeatMs: 200,
      backoff: { initialMs: 50, maxMs: 500 },
    });
    sync.start();
  });

  afterAll(async () => {
    sync.stop();
    await dp.close();
    await cp.stop();
    await upstream.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('accepts each plugin, refuses a bad regex, a template and an unknown field naming them, and runs them all', async () => {
    const admin = adminClient(cp.adminUrl);
    expect((await admin.post('/services', { name: 'echo', url: `http://127.0.0.1:${upstream.port}` })).status).toBe(201);
    expect((await admin.post('/services/echo/routes', { name: 'api', paths: ['/api'] })).status).toBe(201);
    const badRegex = await admin.post('/services/echo/plugins', { name: 'cors', config: { origins: ['[oops'] } });
    expect(badRegex.status).toBe(400);
    expect(JSON.stringify(badRegex.body)).toContain("'[oops' is not a valid regex");
    const template = await admin.post('/services/echo/plugins', { name: 'request-transformer', config: { add: { headers: ['x-a:$(headers.host)'] } } });
    expect(template.status).toBe(400);
    expect(JSON.stringify(template.body)).toContain('templates are not supported');
    const unknown = await admin.post('/services/echo/plugins', { name: 'response-ratelimiting', config: { limits: { a: { hour: 1 } }, bogus: 1 } });
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(unknown.body)).toContain('bogus');
    for (const p of TRAFFIC_PLUGINS(upstream.port)) expect((await admin.post('/services/echo/plugins', p)).status).toBe(201);
    // /none uses no units: its answer shows the last plugin arrived without spending the limit.
    await waitFor('the route and its plugins synced', async () => (await send(`${dp.proxyUrl}/api/none`)).headers['x-ratelimit-limit-units-hour'] === '1');
    await expectEveryPluginRuns(dp.proxyUrl, upstream.port);
  });
});
