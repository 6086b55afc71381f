import type { ConfigSnapshot } from '@tollgate/config';
import { ConfigSyncClient, SnapshotFile, type ApplyOutcome } from '@tollgate/data-plane-sync';
import { generateClusterCa, generateSharedClusterCertificate, issueClusterCertificate, type ClusterTls } from '@tollgate/protocol';
import { adminClient, createTestSchema, startTestControlPlane, waitFor, type TestControlPlane, type TestSchema } from '@tollgate/testing';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

class LatestApplier {
  last: ConfigSnapshot | null = null;
  applySnapshot(snapshot: ConfigSnapshot): ApplyOutcome {
    this.last = snapshot;
    return { ok: true };
  }
}

const dir = mkdtempSync(join(tmpdir(), 'tollgate-cluster-'));
const clients: ConfigSyncClient[] = [];

function write(name: string, content: string): string {
  const file = join(dir, name);
  writeFileSync(file, content, { mode: 0o600 });
  return file;
}

function connect(cp: TestControlPlane, nodeId: string, region: string, tls: ClusterTls = { mode: 'off' }) {
  const applier = new LatestApplier();
  const client = new ConfigSyncClient({
    address: cp.clusterAddress,
    tls,
    nodeId,
    hostname: 'test',
    region,
    labels: {},
    version: '0.1.0',
    plugins: ['key-auth', 'rate-limiting'],
    applier,
    snapshotFile: new SnapshotFile(mkdtempSync(join(dir, 'dp-'))),
    backoff: { initialMs: 50, maxMs: 300 },
  });
  client.start();
  clients.push(client);
  return { client, applier };
}

const uuid = (n: number) => `00000000-0000-4000-9000-${String(n).padStart(12, '0')}`;

afterEach(() => {
  for (const c of clients.splice(0)) c.stop();
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('two control-plane replicas, three data planes in two regions', () => {
  let schema: TestSchema;
  let replica1: TestControlPlane;
  let replica2: TestControlPlane;

  beforeAll(async () => {
    schema = await createTestSchema('config_sync_cluster');
    replica1 = await startTestControlPlane('replica1', { schema });
    replica2 = await startTestControlPlane('replica2', { schema });
  });

  afterAll(async () => {
    await replica1.stop();
    await replica2.stop();
    await schema.drop();
  });

  it('applies a write through replica 1 on data planes connected to replica 2, region-scoped entities only in their region', async () => {
    const eu1 = connect(replica2, uuid(1), 'eu');
    const eu2 = connect(replica2, uuid(2), 'eu');
    const us = connect(replica1, uuid(3), 'us');
    await waitFor('initial snapshots', () => eu1.applier.last && eu2.applier.last && us.applier.last);

    const admin = adminClient(replica1.adminUrl);
    expect((await admin.post('/services', { name: 'everywhere', url: 'http://a.internal' })).status).toBe(201);
    expect((await admin.post('/services', { name: 'eu-only', url: 'http://b.internal', regions: ['eu'] })).status).toBe(201);
    expect((await admin.post('/services/eu-only/routes', { name: 'eu-route', paths: ['/eu'] })).status).toBe(201);
    const [state] = await schema.query<{ version: string }>('SELECT version FROM config_state');
    const version = Number(state!.version);

    for (const dp of [eu1, eu2, us]) await waitFor('latest version', () => dp.applier.last?.version === version);
    const names = (dp: { applier: LatestApplier }) => dp.applier.last!.entities.services.map((s) => s.name).sort();
    expect(names(eu1)).toEqual(['eu-only', 'everywhere']);
    expect(names(eu2)).toEqual(['eu-only', 'everywhere']);
    expect(names(us)).toEqual(['everywhere']);
    expect(us.applier.last!.entities.routes).toEqual([]);
    expect(eu1.applier.last!.hash).toBe(eu2.applier.last!.hash);
    expect(eu1.applier.last!.hash).not.toBe(us.applier.last!.hash);

    // Moving the service out of eu reaches eu as a delete of the service and its route.
    expect((await admin.patch('/services/eu-only', { regions: ['us'] })).status).toBe(200);
    await waitFor('moved to us', () => us.applier.last!.entities.services.length === 2);
    await waitFor('gone from eu', () => eu1.applier.last!.entities.services.length === 1);
    expect(eu1.applier.last!.entities.routes).toEqual([]);
    expect(us.applier.last!.entities.routes.map((r) => r.name)).toEqual(['eu-route']);
  });
});

describe('mutual TLS between the planes', () => {
  it('accepts a data plane holding the shared cluster certificate and refuses one with another', async () => {
    const shared = generateSharedClusterCertificate();
    const cp = await startTestControlPlane('mtls_shared', {
      clusterTls: { mode: 'shared', certFile: write('cluster.crt', shared.cert), keyFile: write('cluster.key', shared.key) },
    });
    try {
      const good = connect(cp, uuid(10), 'default', { mode: 'shared', cert: Buffer.from(shared.cert), key: Buffer.from(shared.key), ca: Buffer.from(shared.cert) });
      await waitFor('snapshot over mTLS', () => good.applier.last);

      const other = generateSharedClusterCertificate();
      const bad = connect(cp, uuid(11), 'default', { mode: 'shared', cert: Buffer.from(other.cert), key: Buffer.from(other.key), ca: Buffer.from(other.cert) });
      const plain = connect(cp, uuid(12), 'default', { mode: 'off' });
      await new Promise((r) => setTimeout(r, 600));
      expect(bad.applier.last).toBeNull();
      expect(plain.applier.last).toBeNull();
      const rows = await cp.schema.query('SELECT id FROM data_plane_nodes ORDER BY id');
      expect(rows.map((r) => r.id)).toEqual([uuid(10)]);
    } finally {
      for (const c of clients.splice(0)) c.stop();
      await cp.stop();
    }
  });

  it('accepts data-plane certificates signed by the cluster CA (pki mode) and refuses a foreign CA', async () => {
    const ca = generateClusterCa();
    const server = issueClusterCertificate(ca, 'control-plane', 'control-plane');
    const node = issueClusterCertificate(ca, 'dp-1', 'data-plane');
    const cp = await startTestControlPlane('mtls_pki', {
      clusterTls: { mode: 'pki', certFile: write('cp.crt', server.cert), keyFile: write('cp.key', server.key), caFile: write('ca.crt', ca.cert) },
    });
    try {
      const good = connect(cp, uuid(20), 'default', { mode: 'pki', cert: Buffer.from(node.cert), key: Buffer.from(node.key), ca: Buffer.from(ca.cert) });
      await waitFor('snapshot over pki mTLS', () => good.applier.last);

      const foreignCa = generateClusterCa();
      const foreign = issueClusterCertificate(foreignCa, 'dp-2', 'data-plane');
      const bad = connect(cp, uuid(21), 'default', { mode: 'pki', cert: Buffer.from(foreign.cert), key: Buffer.from(foreign.key), ca: Buffer.from(ca.cert) });
      await new Promise((r) => setTimeout(r, 600));
      expect(bad.applier.last).toBeNull();
    } finally {
      for (const c of clients.splice(0)) c.stop();
      await cp.stop();
    }
  });
});
