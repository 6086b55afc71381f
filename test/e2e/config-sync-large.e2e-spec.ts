import type { ConfigSnapshot } from '@tollgate/config';
import { SnapshotCache } from '@tollgate/control-plane';
import { ConfigSyncClient, loadDiskConfig, SnapshotFile } from '@tollgate/data-plane-sync';
import { startTestControlPlane, waitFor, type TestControlPlane } from '@tollgate/testing';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

const CONSUMERS = 200_000;

describe('a config over 64 MiB', () => {
  let cp: TestControlPlane;
  const prefix = mkdtempSync(join(tmpdir(), 'tollgate-large-'));

  beforeAll(async () => {
    cp = await startTestControlPlane('config_sync_large');
    const now = Math.floor(Date.now() / 1000);
    await cp.schema.query(
      `INSERT INTO consumers (id, created_at, updated_at, username, custom_id, tags)
       SELECT gen_random_uuid(), $1, $1, 'consumer-' || lpad(g::text, 7, '0'), 'crm-' || md5(g::text), ARRAY['tier-gold', 'marketplace-eu-west']
       FROM generate_series(1, $2) g`,
      [now, CONSUMERS],
    );
    await cp.schema.query(
      `INSERT INTO keyauth_credentials (id, created_at, updated_at, consumer_id, key, tags)
       SELECT gen_random_uuid(), $1, $1, id, md5(id::text) || md5(username), ARRAY['issued-by-portal'] FROM consumers`,
      [now],
    );
    await cp.schema.query('UPDATE config_state SET version = version + 1');
  }, 120_000);

  afterAll(async () => {
    await cp.stop();
    rmSync(prefix, { recursive: true, force: true });
  });

  it('streams in chunks to a data plane, which applies and persists it', async () => {
    let received: ConfigSnapshot | null = null;
    let bytes = 0;
    const client = new ConfigSyncClient({
      address: cp.clusterAddress,
      tls: { mode: 'off' },
      nodeId: '00000000-0000-4000-a000-000000000001',
      hostname: 'large',
      region: 'default',
      labels: {},
      version: '0.1.0',
      plugins: [],
      applier: {
        applySnapshot(snapshot) {
          received = snapshot;
          bytes = Buffer.byteLength(JSON.stringify(snapshot.entities));
          return { ok: true };
        },
      },
      snapshotFile: new SnapshotFile(prefix),
    });
    client.start();
    try {
      await waitFor('the large snapshot', () => received, 100_000, 200);
      await waitFor('acked', async () => (await cp.schema.query(`SELECT sync_status FROM data_plane_nodes`))[0]?.sync_status === 'normal', 30_000);
    } finally {
      client.stop();
    }
    const snapshot = received as unknown as ConfigSnapshot;
    expect(snapshot.entities.consumers).toHaveLength(CONSUMERS);
    expect(snapshot.entities.keyauth_credentials).toHaveLength(CONSUMERS);
    expect(bytes).toBeGreaterThan(64 * 1024 * 1024);
    expect(statSync(join(prefix, 'config.json')).size).toBeGreaterThan(64 * 1024 * 1024);
    // The disk copy is a header line and one entity per line; a restart serves it with the same hash.
    const head = readFileSync(join(prefix, 'config.json'), 'utf8').slice(0, 200).split('\n')[0]!;
    expect(JSON.parse(head)).toEqual({ format: 'tollgate-entity-lines/1', version: snapshot.version, hash: snapshot.hash });
    const restarted = await loadDiskConfig(new SnapshotFile(prefix));
    expect(restarted?.hash).toBe(snapshot.hash);
    expect(restarted?.entities().keyauth_credentials).toHaveLength(CONSUMERS);
  }, 150_000);

  it('sends it as many chunks, each a gzip member of whole entity lines', async () => {
    const chunks = (await cp.app.get(SnapshotCache).get('default')).encodedChunks();
    expect(chunks.length).toBeGreaterThan(10);
    expect(gunzipSync(chunks[1]!).toString('utf8')).toMatch(/^(consumers|keyauth_credentials) \{.*\n$/s);
  });
});
