/**
 * Config sync at marketplace scale (issue 3): 15,000 services, 15,000 routes, 50,000 consumers
 * with key-auth credentials, 20 data planes (in-process sync clients, each with its own disk copy).
 *
 *   npm run bench:sync            (SERVICES=, CONSUMERS=, DATA_PLANES=, WRITES= to resize)
 *
 * Prints: snapshot build time and size, time for 20 data planes to receive the first snapshot,
 * propagation (admin write -> all data planes applied, persisted and acked) p50/p99 over single-
 * route writes, and the bytes on the wire for a one-route delta against the full snapshot.
 */
import { SnapshotBuilder } from '@tollgate/control-plane';
import { readDataPlaneSettings, startDataPlane } from '@tollgate/data-plane';
import { ConfigSyncClient, SnapshotFile } from '@tollgate/data-plane-sync';
import { loadConfigSync, type ControlPlaneMessage } from '@tollgate/protocol';
import {
  adminClient,
  createTestSchema,
  freePort,
  startPlatformProcess,
  startTestControlPlane,
  TEST_DATABASE_URL,
  waitFor,
  type PlatformProcess,
} from '@tollgate/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { DataSource } from 'typeorm';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadFleetConfig } from './config-fixture';

const SERVICES = Number(process.env.SERVICES ?? 15_000);
const CONSUMERS = Number(process.env.CONSUMERS ?? 50_000);
const DATA_PLANES = Number(process.env.DATA_PLANES ?? 20);
const WRITES = Number(process.env.WRITES ?? 200);

const serialize = (loadConfigSync().ConfigSync as unknown as { service: { Sync: { responseSerialize(m: ControlPlaneMessage): Buffer } } }).service.Sync
  .responseSerialize;

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const ms = (n: number) => `${n.toFixed(1)} ms`;

async function main(): Promise<void> {
  const watchdog = setTimeout(() => {
    console.error('benchmark watchdog: over 8 minutes, giving up');
    process.exit(2);
  }, 8 * 60_000);
  watchdog.unref();
  const schema = await createTestSchema('bench_sync');
  const inProcess = await startTestControlPlane('bench_sync', { schema });
  const prefix = mkdtempSync(join(tmpdir(), 'tollgate-bench-sync-'));
  const clients: ConfigSyncClient[] = [];
  let controlPlane: PlatformProcess | null = null;
  try {
    let t = performance.now();
    await loadFleetConfig(schema, { services: SERVICES, consumers: CONSUMERS });
    console.log(`loaded ${SERVICES} services, ${SERVICES} routes, ${CONSUMERS} consumers + key-auth in ${ms(performance.now() - t)}`);

    const builds: number[] = [];
    let encoded = 0;
    for (let i = 0; i < 3; i++) {
      // A fresh builder reads everything: the cost of a control plane's first snapshot.
      const builder = new SnapshotBuilder(inProcess.app.get(DataSource));
      t = performance.now();
      const snapshot = (await builder.build(['default'])).get('default')!;
      builds.push(performance.now() - t);
      t = performance.now();
      encoded = snapshot.encodedBytes;
      if (i === 0) console.log(`snapshot: ${(Buffer.byteLength(JSON.stringify(snapshot.entities)) / 1048576).toFixed(1)} MiB JSON, ${(encoded / 1048576).toFixed(1)} MiB gzip on the wire; encoding ${ms(performance.now() - t)}`);
    }
    console.log(`full snapshot build (read all + region cut + consistency check + hash), best of 3: ${ms(Math.min(...builds))}`);
    await inProcess.stop();

    // The control plane in a process of its own, as in production; the data planes share this one.
    const adminPort = await freePort();
    const clusterPort = await freePort();
    controlPlane = startPlatformProcess('control-plane', {
      DATABASE_URL: TEST_DATABASE_URL,
      TOLLGATE_DATABASE_SCHEMA: schema.name,
      TOLLGATE_ADMIN_LISTEN: `127.0.0.1:${adminPort}`,
      TOLLGATE_CLUSTER_LISTEN: `127.0.0.1:${clusterPort}`,
      TOLLGATE_CLUSTER_MTLS: 'off',
      TOLLGATE_LOG_LEVEL: 'error',
      TOLLGATE_USAGE_WORKER_CONCURRENCY: '0',
    });
    const cp = { adminUrl: `http://127.0.0.1:${adminPort}`, clusterAddress: `127.0.0.1:${clusterPort}`, schema };
    await waitFor('control plane up', async () => (await fetch(`${cp.adminUrl}/status`)).ok, 60_000);

    let snapshotWireBytes = 0;
    const deltaWireBytes: number[] = [];
    const installed: number[] = new Array(DATA_PLANES).fill(0);
    const waiters: (() => void)[] = [];
    t = performance.now();
    for (let i = 0; i < DATA_PLANES; i++) {
      const client = new ConfigSyncClient({
        address: cp.clusterAddress,
        tls: { mode: 'off' },
        nodeId: `00000000-0000-4000-b000-${String(i + 1).padStart(12, '0')}`,
        hostname: `bench-${i}`,
        region: 'default',
        labels: {},
        version: '0.1.0',
        plugins: ['key-auth'],
        applier: { applySnapshot: () => ({ ok: true }) },
        snapshotFile: new SnapshotFile(join(prefix, `dp-${i}`)),
        onMessage: (m) => {
          if (i !== 0) return;
          if (m.message === 'snapshot') snapshotWireBytes += serialize(m).length;
          if (m.message === 'delta') deltaWireBytes.push(serialize(m).length);
        },
        onInstalled: (version) => {
          installed[i] = version;
          for (const w of waiters.splice(0)) w();
        },
      });
      client.start();
      clients.push(client);
    }
    const allAt = (version: number) =>
      new Promise<void>((resolve) => {
        const check = () => (installed.every((v) => v >= version) ? resolve() : waiters.push(check));
        check();
      });
    await allAt(1);
    console.log(`${DATA_PLANES} data planes received, applied and persisted the first snapshot in ${ms(performance.now() - t)}`);

    const admin = adminClient(cp.adminUrl);
    const routes = await admin.get<{ data: { id: string }[] }>('/routes?size=200');
    const propagation: number[] = [];
    for (let i = 0; i < WRITES; i++) {
      const route = routes.body.data[i % routes.body.data.length]!;
      const start = performance.now();
      const res = await admin.patch(`/routes/${route.id}`, { paths: [`/changed-${i}`] });
      if (res.status !== 200) throw new Error(`write ${i} failed: ${res.status} ${JSON.stringify(res.body)}`);
      const [state] = await cp.schema.query<{ version: string }>('SELECT version FROM config_state');
      await allAt(Number(state!.version));
      propagation.push(performance.now() - start);
    }
    console.log('');
    console.log(`| metric | value |`);
    console.log(`|---|---|`);
    console.log(`| propagation p50 (write -> ${DATA_PLANES} DPs acked) | ${ms(percentile(propagation, 50))} |`);
    console.log(`| propagation p99 | ${ms(percentile(propagation, 99))} |`);
    console.log(`| propagation max | ${ms(Math.max(...propagation))} |`);
    console.log(`| one-route delta on the wire (median) | ${percentile(deltaWireBytes, 50)} bytes |`);
    console.log(`| full snapshot on the wire | ${snapshotWireBytes} bytes |`);
    console.log(`| full snapshot build, best of 3 | ${ms(Math.min(...builds))} |`);
    console.log(`| incremental snapshot (per write, control plane) | included in propagation |`);

    // A real data plane (router, plugin chains, consumer index) applying every write it syncs.
    const dp = await startDataPlane({
      ...readDataPlaneSettings({ TOLLGATE_WORKERS: '0' }),
      proxyListen: { host: '127.0.0.1', port: 0 },
      proxySslListen: null,
      statusListen: null,
      workers: 0,
      logLevel: 'silent',
    });
    let realInstalled = 0;
    let realWaiter: (() => void) | null = null;
    const real = new ConfigSyncClient({
      address: cp.clusterAddress,
      tls: { mode: 'off' },
      nodeId: '00000000-0000-4000-b000-0000000000ff',
      hostname: 'bench-real',
      region: 'default',
      labels: {},
      version: '0.1.0',
      plugins: ['key-auth'],
      applier: dp,
      snapshotFile: new SnapshotFile(join(prefix, 'dp-real')),
      onInstalled: (version) => {
        realInstalled = version;
        realWaiter?.();
      },
    });
    clients.push(real);
    t = performance.now();
    real.start();
    const realAt = (version: number) => new Promise<void>((resolve) => (realWaiter = () => realInstalled >= version && resolve())).then(() => undefined);
    const [first] = await cp.schema.query<{ version: string }>('SELECT version FROM config_state');
    if (realInstalled < Number(first!.version)) await realAt(Number(first!.version));
    const realFirst = performance.now() - t;
    const realPropagation: number[] = [];
    for (let i = 0; i < Math.min(WRITES, 100); i++) {
      const route = routes.body.data[(i + 7) % routes.body.data.length]!;
      const start = performance.now();
      const res = await admin.patch(`/routes/${route.id}`, { paths: [`/real-${i}`] });
      if (res.status !== 200) throw new Error(`write failed: ${res.status}`);
      const [state] = await cp.schema.query<{ version: string }>('SELECT version FROM config_state');
      if (realInstalled < Number(state!.version)) await realAt(Number(state!.version));
      realPropagation.push(performance.now() - start);
    }
    await dp.close();
    console.log(`| real data plane: first snapshot received, applied, persisted | ${ms(realFirst)} |`);
    console.log(`| real data plane: propagation p50 / p99 (${realPropagation.length} writes, ${DATA_PLANES} other DPs connected) | ${ms(percentile(realPropagation, 50))} / ${ms(percentile(realPropagation, 99))} |`);
    const p99 = percentile(propagation, 99);
    console.log(`\ntarget p99 < 250 ms: ${p99 < 250 ? 'HOLDS' : 'MISSED'}; target delta < 2 KB: ${percentile(deltaWireBytes, 50) < 2048 ? 'HOLDS' : 'MISSED'}`);
  } finally {
    for (const c of clients) c.stop();
    await controlPlane?.stop();
    await schema.drop();
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
