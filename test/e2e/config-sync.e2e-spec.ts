import type { ConfigSnapshot } from '@tollgate/config';
import { ChangeLogRetention } from '@tollgate/control-plane';
import { ConfigSyncClient, loadDiskConfig, SnapshotFile, SyncedConfig, type ApplyOutcome } from '@tollgate/data-plane-sync';
import { adminClient, createTestSchema, startTestControlPlane, waitFor, type TestControlPlane, type TestSchema } from '@tollgate/testing';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Stands in for the proxy's runtime: records what it was asked to apply, refuses on demand. */
class RecordingApplier {
  applied: ConfigSnapshot[] = [];
  refuse: ((s: ConfigSnapshot) => boolean) | null = null;

  applySnapshot(snapshot: ConfigSnapshot): ApplyOutcome {
    if (this.refuse?.(snapshot)) return { ok: false, errors: [{ entity: 'plugins', id: 'x', field: 'config', message: 'refused by test' }] };
    this.applied.push(snapshot);
    return { ok: true };
  }

  get last(): ConfigSnapshot | undefined {
    return this.applied[this.applied.length - 1];
  }
}

interface TestDataPlane {
  client: ConfigSyncClient;
  applier: RecordingApplier;
  prefix: string;
}

const prefixes: string[] = [];

interface DataPlaneOptions {
  region?: string;
  plugins?: string[];
  /** The config it already serves when it connects (a restart from its disk copy). */
  seed?: ConfigSnapshot;
}

function dataPlane(cp: TestControlPlane, nodeId: string, { region = 'default', plugins = ['key-auth', 'rate-limiting'], seed }: DataPlaneOptions = {}): TestDataPlane {
  const prefix = mkdtempSync(join(tmpdir(), 'tollgate-dp-'));
  prefixes.push(prefix);
  const applier = new RecordingApplier();
  const client = new ConfigSyncClient({
    address: cp.clusterAddress,
    tls: { mode: 'off' },
    nodeId,
    hostname: `host-${nodeId.slice(0, 4)}`,
    region,
    labels: { zone: 'a' },
    version: '0.1.0',
    plugins,
    applier,
    snapshotFile: new SnapshotFile(prefix),
    heartbeatMs: 200,
    backoff: { initialMs: 50, maxMs: 500 },
  });
  if (seed) client.seed(SyncedConfig.of(seed.version, seed.entities));
  client.start();
  return { client, applier, prefix };
}

const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

describe('config sync between a control plane and data planes', () => {
  let schema: TestSchema;
  let cp: TestControlPlane;
  let dps: TestDataPlane[] = [];

  beforeAll(async () => {
    schema = await createTestSchema('config_sync');
    cp = await startTestControlPlane('config_sync', { schema });
  });

  afterEach(() => {
    for (const dp of dps) dp.client.stop();
    dps = [];
  });

  afterAll(async () => {
    await cp.stop();
    await schema.drop();
    for (const p of prefixes) rmSync(p, { recursive: true, force: true });
  });

  it('sends a new data plane the full snapshot, persists it 0600, and records the node', async () => {
    const admin = adminClient(cp.adminUrl);
    expect((await admin.post('/services', { name: 'orders', url: 'http://orders.internal:8080' })).status).toBe(201);
    const dp = dataPlane(cp, uuid(1));
    dps.push(dp);
    const snapshot = await waitFor('first snapshot', () => dp.applier.last);
    expect(snapshot.entities.services.map((s) => s.name)).toEqual(['orders']);
    await waitFor('ack recorded', async () => {
      const rows = await schema.query<{ sync_status: string; config_version: string }>('SELECT * FROM data_plane_nodes WHERE id = $1', [uuid(1)]);
      return rows[0]?.sync_status === 'normal' && Number(rows[0].config_version) === snapshot.version;
    });
    const file = new SnapshotFile(dp.prefix);
    expect((await file.load())?.snapshot.version).toBe(snapshot.version);
    expect(statSync(file.path).mode & 0o777).toBe(0o600);

    const listed = await admin.get<{ data: Record<string, unknown>[] }>('/clustering/data-planes');
    expect(listed.body.data).toEqual(
      expect.arrayContaining([expect.objectContaining({ id: uuid(1), region: 'default', config_version: snapshot.version, sync_status: 'normal', labels: { zone: 'a' } })]),
    );
  });

  it('streams a one-route change as a delta that lands on the same hash', async () => {
    const admin = adminClient(cp.adminUrl);
    const dp = dataPlane(cp, uuid(2));
    dps.push(dp);
    const first = await waitFor('snapshot', () => dp.applier.last);
    const route = await admin.post('/services/orders/routes', { name: 'orders-api', paths: ['/orders'] });
    expect(route.status).toBe(201);
    const next = await waitFor('delta applied', () => (dp.applier.last!.version > first.version ? dp.applier.last : undefined));
    expect(next.entities.routes.map((r) => r.name)).toEqual(['orders-api']);
    expect(dp.client.stats).toMatchObject({ snapshots: 1, deltas: 1 });

    // The delta was journaled, not a rewrite: a restart replays it onto the snapshot.
    const file = new SnapshotFile(dp.prefix);
    await waitFor('installed', () => dp.client.current?.version === next.version);
    expect(statSync(file.journalPath).mode & 0o777).toBe(0o600);
    const onDisk = await loadDiskConfig(file);
    expect(onDisk?.version).toBe(next.version);
    expect(onDisk?.hash).toBe(next.hash);
    const [state] = await schema.query<{ version: string }>('SELECT version FROM config_state');
    expect(next.version).toBe(Number(state!.version));
  });

  it('brings a data plane 3 versions behind up with a delta, and one behind the purge with a snapshot', async () => {
    const admin = adminClient(cp.adminUrl);
    const seedFrom = dataPlane(cp, uuid(3));
    const base = await waitFor('snapshot', () => seedFrom.applier.last);
    seedFrom.client.stop();

    for (const name of ['a', 'b', 'c']) expect((await admin.post('/consumers', { username: `behind-${name}` })).status).toBe(201);
    const behind = dataPlane(cp, uuid(3), { seed: base });
    dps.push(behind);
    const caughtUp = await waitFor('caught up', () => (behind.applier.last && behind.applier.last.version >= base.version + 3 ? behind.applier.last : undefined));
    expect(caughtUp.entities.consumers.map((c) => c.username)).toEqual(expect.arrayContaining(['behind-a', 'behind-b', 'behind-c']));
    const installed = await waitFor('installed', () => (behind.client.current?.version === caughtUp.version ? behind.client.current : undefined));
    expect(installed.hash).toBe(caughtUp.hash);
    expect(behind.client.stats).toMatchObject({ snapshots: 0, deltas: 1 });

    await cp.app.get(ChangeLogRetention).keepLatest(1);
    const [state] = await schema.query<{ version: string; changes_purged_through: string }>('SELECT * FROM config_state');
    expect(Number(state!.changes_purged_through)).toBe(Number(state!.version) - 1);
    expect(Number(state!.changes_purged_through)).toBeGreaterThan(base.version);
    expect((await admin.post('/consumers', { username: 'after-purge' })).status).toBe(201);
    // A replica that has the old version neither in its snapshot history nor in the change log.
    const fresh = await startTestControlPlane('config_sync_fresh', { schema });
    try {
      const stale = dataPlane(fresh, uuid(4), { seed: base });
      dps.push(stale);
      const full = await waitFor('full snapshot', () => stale.applier.last);
      expect(full.entities.consumers.map((c) => c.username)).toContain('after-purge');
      expect(stale.client.stats).toMatchObject({ snapshots: 1, deltas: 0 });
    } finally {
      for (const dp of dps.splice(0)) dp.client.stop();
      await fresh.stop();
    }
  });

  it('records a Nack in last_error and keeps the data plane on its last good config', async () => {
    const admin = adminClient(cp.adminUrl);
    const dp = dataPlane(cp, uuid(5));
    dps.push(dp);
    const good = await waitFor('snapshot', () => dp.applier.last);
    dp.applier.refuse = () => true;
    expect((await admin.post('/consumers', { username: 'refused' })).status).toBe(201);
    const row = await waitFor('nack recorded', async () => {
      const rows = await schema.query<{ sync_status: string; last_error: { errors: unknown[] } }>('SELECT * FROM data_plane_nodes WHERE id = $1', [uuid(5)]);
      return rows[0]?.sync_status === 'config_rejected' ? rows[0] : undefined;
    });
    expect(row.last_error.errors).toEqual([{ entity: 'plugins', id: 'x', field: 'config', message: 'refused by test' }]);
    expect(dp.client.current?.version).toBe(good.version);
    expect(dp.applier.applied).toHaveLength(1);
  });

  it('marks a data plane without a plugin the config uses plugin_set_incompatible and sends it nothing', async () => {
    const admin = adminClient(cp.adminUrl);
    expect((await admin.post('/plugins', { name: 'rate-limiting', config: { minute: 10 } })).status).toBe(201);
    const dp = dataPlane(cp, uuid(6), { plugins: ['key-auth'] });
    dps.push(dp);
    await waitFor('status', () => dp.client.lastStatus?.status === 'plugin_set_incompatible');
    expect(dp.client.lastStatus?.missing_plugins).toEqual(['rate-limiting']);
    expect(dp.applier.applied).toHaveLength(0);
    const rows = await schema.query<{ sync_status: string }>('SELECT sync_status FROM data_plane_nodes WHERE id = $1', [uuid(6)]);
    expect(rows[0]?.sync_status).toBe('plugin_set_incompatible');
  });
});
