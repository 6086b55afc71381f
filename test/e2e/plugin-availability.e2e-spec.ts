import type { ConfigSnapshot } from '@tollgate/config';
import { ConfigSyncClient, SnapshotFile, type ApplyOutcome } from '@tollgate/data-plane-sync';
import { adminClient, createTestSchema, startTestControlPlane, waitFor, type AdminClient, type TestControlPlane, type TestSchema } from '@tollgate/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Version skew (issue 14): one plugin write must never silently freeze a region. A write of a
 * plugin that a connected data plane of a region it reaches cannot run is refused, naming the
 * plugin and the data planes, unless forced; forced, only those data planes stop taking config.
 */
class Applied {
  last: ConfigSnapshot | null = null;
  applySnapshot(snapshot: ConfigSnapshot): ApplyOutcome {
    this.last = snapshot;
    return { ok: true };
  }
}

interface Node {
  id: string;
  client: ConfigSyncClient;
  applied: Applied;
}

const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const OLD_BUILD = ['key-auth', 'rate-limiting'];
const NEW_BUILD = ['key-auth', 'rate-limiting', 'cors'];

describe('plugin writes and the plugins connected data planes can run', () => {
  let schema: TestSchema;
  let cp: TestControlPlane;
  let admin: AdminClient;
  const prefixes: string[] = [];
  const nodes: Node[] = [];

  function connect(n: number, region: string, plugins: string[]): Node {
    const prefix = mkdtempSync(join(tmpdir(), 'tollgate-skew-'));
    prefixes.push(prefix);
    const applied = new Applied();
    const client = new ConfigSyncClient({
      address: cp.clusterAddress,
      tls: { mode: 'off' },
      nodeId: uuid(n),
      hostname: `dp-${region}-${n}`,
      region,
      labels: {},
      version: '0.1.0',
      plugins,
      applier: applied,
      snapshotFile: new SnapshotFile(prefix),
      heartbeatMs: 200,
      backoff: { initialMs: 50, maxMs: 500 },
    });
    client.start();
    const node = { id: uuid(n), client, applied };
    nodes.push(node);
    return node;
  }

  async function connected(node: Node): Promise<void> {
    await waitFor('data plane synced', async () => {
      const rows = await schema.query<{ stream_id: string | null; sync_status: string }>('SELECT stream_id, sync_status FROM data_plane_nodes WHERE id = $1', [node.id]);
      return rows[0]?.stream_id && rows[0].sync_status === 'normal' ? true : undefined;
    });
  }

  beforeAll(async () => {
    schema = await createTestSchema('plugin_skew');
    cp = await startTestControlPlane('plugin_skew', { schema });
    admin = adminClient(cp.adminUrl);
  });

  afterAll(async () => {
    for (const node of nodes) node.client.stop();
    await cp?.close();
    await schema?.drop();
    for (const prefix of prefixes) rmSync(prefix, { recursive: true, force: true });
  });

  it('refuses, names the plugin and the data planes, keeps config flowing, and writes when forced', async () => {
    const eu = connect(1, 'eu', OLD_BUILD);
    const us = connect(2, 'us', NEW_BUILD);
    await connected(eu);
    await connected(us);

    const refused = await admin.post<{ code: number; message: string; fields: Record<string, unknown> }>('/plugins', { name: 'cors' });
    expect(refused.status).toBe(400);
    expect(refused.body.code).toBe(2);
    expect(refused.body.message).toContain("plugin 'cors' is not available on connected data planes: dp-eu-1");
    expect(refused.body.message).toContain('?force=true');
    expect(refused.body.message).not.toContain('dp-us-2');
    expect(refused.body.fields['@data_planes']).toEqual([{ id: uuid(1), hostname: 'dp-eu-1', region: 'eu', version: '0.1.0' }]);
    expect((await admin.get<{ data: unknown[] }>('/plugins')).body.data).toEqual([]);

    // Nothing froze: a route added afterwards reaches the old-build data plane.
    expect((await admin.post('/services', { name: 'echo', url: 'http://127.0.0.1:9/' })).status).toBe(201);
    const route = await admin.post<{ id: string }>('/services/echo/routes', { name: 'r', paths: ['/r'] });
    expect(route.status).toBe(201);
    await waitFor('route on eu', () => eu.applied.last?.entities.routes.some((r) => r.id === route.body.id) || undefined);

    // Scoped to the region whose data planes can run it, through a service, or disabled: accepted.
    expect((await admin.post('/plugins', { name: 'cors', regions: ['us'] })).status).toBe(201);
    expect((await admin.post('/services/echo/plugins', { name: 'cors', enabled: false })).status).toBe(201);
    // The same refusal on a nested write and a declarative import.
    expect((await admin.post('/routes/r/plugins', { name: 'cors' })).status).toBe(400);
    const declarative = await admin.post('/config', { _format_version: '3.0', plugins: [{ name: 'cors' }] });
    expect(declarative.status).toBe(400);
    expect((await admin.get<{ data: unknown[] }>('/routes')).body.data).toHaveLength(1);

    // Forced: only the data plane that cannot run it stops taking config.
    const forced = await admin.post<{ id: string }>('/routes/r/plugins?force=true', { name: 'cors' });
    expect(forced.status).toBe(201);
    await waitFor('eu incompatible', () => eu.client.lastStatus?.status === 'plugin_set_incompatible' || undefined);
    expect(eu.client.lastStatus?.missing_plugins).toEqual(['cors']);
    await waitFor('us has it', () => us.applied.last?.entities.plugins.some((p) => p.id === forced.body.id) || undefined);
  });

  it('lets the write through once the data plane that lacked the plugin is gone', async () => {
    const old = connect(3, 'ap', OLD_BUILD);
    // It takes no config (the forced plugin reaches every region), but it is connected.
    await waitFor('ap connected', async () => {
      const rows = await schema.query<{ stream_id: string | null }>('SELECT stream_id FROM data_plane_nodes WHERE id = $1', [uuid(3)]);
      return rows[0]?.stream_id ? true : undefined;
    });
    expect((await admin.post('/services', { name: 'ap-only', url: 'http://127.0.0.1:9/', regions: ['ap'] })).status).toBe(201);
    expect((await admin.post('/services/ap-only/plugins', { name: 'cors' })).status).toBe(400);
    old.client.stop();
    await waitFor('stream closed', async () => {
      const rows = await schema.query<{ stream_id: string | null }>('SELECT stream_id FROM data_plane_nodes WHERE id = $1', [uuid(3)]);
      return rows[0] && rows[0].stream_id === null ? true : undefined;
    });
    expect((await admin.post('/services/ap-only/plugins', { name: 'cors' })).status).toBe(201);
  });
});
