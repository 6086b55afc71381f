/**
 * No size ceiling on a snapshot (issue 16): 1M consumers with 2M key-auth keys, bulk-loaded into
 * a test schema with generate_series, synced to one in-process data-plane sync client that
 * persists its disk copy, then read back from disk as a restart would. Before the entity-line
 * stream this size threw `RangeError: Invalid string length` at the control plane's one
 * JSON.stringify of the whole config; the script shows that one call still throws on it.
 *
 *   node --max-old-space-size=16000 -r ./tools/register.js test/bench/snapshot-scale.bench.ts
 *   (CONSUMERS=, KEYS_PER_CONSUMER= to resize)
 *
 * Prints: bulk load time, control-plane build + encode (chunks, bytes), time to the data plane's
 * applied + persisted + acked, disk copy size, reload-from-disk time with hash check, and RSS.
 */
import { SnapshotCache } from '@tollgate/control-plane';
import type { ConfigSnapshot } from '@tollgate/config';
import { ConfigSyncClient, loadDiskConfig, SnapshotFile } from '@tollgate/data-plane-sync';
import { adminClient, startTestControlPlane, waitFor } from '@tollgate/testing';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const CONSUMERS = Number(process.env.CONSUMERS ?? 1_000_000);
const KEYS_PER_CONSUMER = Number(process.env.KEYS_PER_CONSUMER ?? 2);
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const since = (start: number) => `${((performance.now() - start) / 1000).toFixed(1)} s`;

const CHANGES = Number(process.env.CHANGES ?? 10);

/** PATCHes one consumer CHANGES times; times the admin write and the write -> data plane acked. */
async function oneConsumerChanges(adminUrl: string, client: ConfigSyncClient): Promise<void> {
  const admin = adminClient(adminUrl);
  const writes: number[] = [];
  const synced: number[] = [];
  for (let i = 0; i < CHANGES; i++) {
    const before = client.current?.version ?? -1;
    const start = performance.now();
    const res = await admin.patch('/consumers/consumer-0000001', { custom_id: `bench-change-${i}` });
    if (res.status !== 200) throw new Error(`PATCH /consumers: ${res.status}`);
    writes.push(performance.now() - start);
    await waitFor('the change', () => (client.current?.version ?? -1) > before, 120_000, 5);
    synced.push(performance.now() - start);
  }
  const show = (values: number[]) => `p50 ${percentile(values, 50).toFixed(0)} ms, max ${Math.max(...values).toFixed(0)} ms`;
  console.log(`one-consumer change x${CHANGES}: admin write ${show(writes)}; write -> data plane applied+acked ${show(synced)}`);
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function main(): Promise<void> {
  const cp = await startTestControlPlane('bench_snapshot_scale');
  const prefix = mkdtempSync(join(tmpdir(), 'tollgate-scale-'));
  try {
    let start = performance.now();
    const now = Math.floor(Date.now() / 1000);
    await cp.schema.query(
      `INSERT INTO consumers (id, created_at, updated_at, username, custom_id, tags)
       SELECT gen_random_uuid(), $1, $1, 'consumer-' || lpad(g::text, 7, '0'), 'crm-' || md5(g::text), ARRAY['tier-gold']
       FROM generate_series(1, $2) g`,
      [now, CONSUMERS],
    );
    await cp.schema.query(
      `INSERT INTO keyauth_credentials (id, created_at, updated_at, consumer_id, key, tags)
       SELECT gen_random_uuid(), $1, $1, c.id, md5(c.id::text || k::text) || md5(c.username), ARRAY['portal']
       FROM consumers c CROSS JOIN generate_series(1, $2) k`,
      [now, KEYS_PER_CONSUMER],
    );
    await cp.schema.query('UPDATE config_state SET version = version + 1');
    console.log(`bulk load: ${CONSUMERS} consumers, ${CONSUMERS * KEYS_PER_CONSUMER} keys in ${since(start)}`);

    start = performance.now();
    const snapshot = await cp.app.get(SnapshotCache).get('default');
    console.log(`control plane build: ${since(start)}`);
    start = performance.now();
    const chunks = snapshot.encodedChunks();
    console.log(`control plane encode: ${chunks.length} chunks, ${mb(chunks.reduce((s, c) => s + c.length, 0))} gzip, ${since(start)}; rss ${mb(process.memoryUsage().rss)}`);
    try {
      JSON.stringify(snapshot.entities);
      console.log('one JSON.stringify of the whole config: did not throw at this size');
    } catch (err) {
      console.log(`one JSON.stringify of the whole config (the old encoding): ${(err as Error).name}: ${(err as Error).message}`);
    }

    start = performance.now();
    let received: ConfigSnapshot | null = null;
    let last: { version: number; hash: string } | null = null;
    const client = new ConfigSyncClient({
      address: cp.clusterAddress,
      tls: { mode: 'off' },
      nodeId: '00000000-0000-4000-a000-000000000016',
      hostname: 'scale',
      region: 'default',
      labels: {},
      version: '0.1.0',
      plugins: [],
      applier: { applySnapshot: (s) => ((received = s), { ok: true }) },
      snapshotFile: new SnapshotFile(prefix),
      log: (level, message) => console.log(`  data plane ${level}: ${message}`),
    });
    client.start();
    try {
      await waitFor('the snapshot', () => received, 1_200_000, 500);
      console.log(`data plane received + decoded + hash-checked: ${since(start)}`);
      await waitFor('acked', async () => (await cp.schema.query(`SELECT sync_status FROM data_plane_nodes`))[0]?.sync_status === 'normal', 600_000, 500);
      console.log(`... + persisted + acked: ${since(start)}; disk copy ${mb(statSync(join(prefix, 'config.json')).size)}; rss ${mb(process.memoryUsage().rss)}`);
      await oneConsumerChanges(cp.adminUrl, client);
      last = client.current;
    } finally {
      client.stop();
    }
    start = performance.now();
    const disk = await loadDiskConfig(new SnapshotFile(prefix));
    const ok = disk !== null && disk.hash === last?.hash && disk.version === last.version && disk.entities().keyauth_credentials.length === CONSUMERS * KEYS_PER_CONSUMER;
    console.log(`reload from disk (restart, snapshot + journaled deltas): ${since(start)}, version and hash ${ok ? 'match the last acked' : 'DIFFER'}; rss ${mb(process.memoryUsage().rss)}`);
  } finally {
    await cp.stop();
    rmSync(prefix, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
