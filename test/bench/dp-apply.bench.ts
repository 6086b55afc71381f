/**
 * Data-plane apply time and memory at marketplace scale (issue 3): a real in-process data plane
 * (router, plugin chains, consumer index, balancers) applying a full snapshot of 15,000 services,
 * 15,000 routes and 50,000 consumers with key-auth, then one-route changes.
 *
 *   npm run bench:apply          (SERVICES=, CONSUMERS= to resize)
 */
import { SnapshotBuilder } from '@tollgate/control-plane';
import { readDataPlaneSettings, startDataPlane } from '@tollgate/data-plane';
import type { ConfigEntities } from '@tollgate/config';
import { SnapshotFile } from '@tollgate/data-plane-sync';
import { freePort, startPlatformProcess, startTestControlPlane, waitFor } from '@tollgate/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { loadFleetConfig } from './config-fixture';

const SERVICES = Number(process.env.SERVICES ?? 15_000);
const CONSUMERS = Number(process.env.CONSUMERS ?? 50_000);

const mib = (bytes: number) => `${(bytes / 1048576).toFixed(0)} MiB`;

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** A data-plane process booting from its disk copy of this config: time to ready, and its memory. */
async function measureProcess(version: number, hash: string, entities: ConfigEntities): Promise<void> {
  const prefix = mkdtempSync(join(tmpdir(), 'tollgate-bench-apply-'));
  await new SnapshotFile(prefix).save({ version, hash, entities });
  const status = await freePort();
  const started = performance.now();
  const dp = startPlatformProcess('data-plane', {
    TOLLGATE_CONTROL_PLANE: 'off',
    TOLLGATE_WORKERS: '0',
    TOLLGATE_PREFIX: prefix,
    TOLLGATE_PROXY_LISTEN: `127.0.0.1:${await freePort()}`,
    TOLLGATE_PROXY_SSL_LISTEN: 'off',
    TOLLGATE_STATUS_LISTEN: `127.0.0.1:${status}`,
    TOLLGATE_USAGE: 'off',
  });
  try {
    await waitFor('ready', async () => (await fetch(`http://127.0.0.1:${status}/status/ready`)).status === 200, 120_000, 50);
    const ready = performance.now() - started;
    const body = (await (await fetch(`http://127.0.0.1:${status}/status`)).json()) as { memory: { rss: number; heap_used: number } };
    console.log(`| data-plane process: start to ready from its disk copy (incl. ~1 s of TypeScript loading) | ${ready.toFixed(0)} ms |`);
    console.log(`| data-plane process with the config loaded: RSS / heap used | ${mib(body.memory.rss)} / ${mib(body.memory.heap_used)} |`);
  } finally {
    await dp.stop();
    rmSync(prefix, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const cp = await startTestControlPlane('bench_apply');
  try {
    await loadFleetConfig(cp.schema, { services: SERVICES, consumers: CONSUMERS });
    const snapshot = (await new SnapshotBuilder(cp.app.get(DataSource)).build(['default'])).get('default')!;
    const copy = () => JSON.parse(JSON.stringify(snapshot.entities));
    const dp = await startDataPlane({
      ...readDataPlaneSettings({ TOLLGATE_WORKERS: '0', TOLLGATE_LOG_LEVEL: 'silent' }),
      proxyListen: { host: '127.0.0.1', port: 0 },
      proxySslListen: null,
      statusListen: null,
      workers: 0,
      logLevel: 'silent',
    });
    try {
      gc();
      const before = process.memoryUsage();
      const full: number[] = [];
      for (let i = 0; i < 3; i++) {
        const entities = copy();
        const t = performance.now();
        const outcome = dp.applySnapshot({ version: snapshot.version + i, hash: snapshot.hash, entities });
        full.push(performance.now() - t);
        if (!outcome.ok) throw new Error(`refused: ${JSON.stringify(outcome.errors.slice(0, 3))}`);
      }
      gc();
      const after = process.memoryUsage();
      const entities = copy();
      const small: number[] = [];
      for (let i = 0; i < 10; i++) {
        const routes = entities.routes.slice();
        routes[i] = { ...routes[i], paths: [`/changed-${i}`] };
        entities.routes = routes;
        const t = performance.now();
        const outcome = dp.applySnapshot({ version: snapshot.version + 10 + i, hash: snapshot.hash, entities: { ...entities } }, new Set(['routes']));
        small.push(performance.now() - t);
        if (!outcome.ok) throw new Error('refused');
      }
      console.log(`config: ${SERVICES} services, ${SERVICES} routes, ${CONSUMERS} consumers with key-auth`);
      console.log(`| full snapshot apply (check + build + swap), best of 3 | ${Math.min(...full).toFixed(0)} ms (all: ${full.map((x) => x.toFixed(0)).join(', ')}) |`);
      console.log(`| one-route change apply, median of 10 | ${small.sort((a, b) => a - b)[5]!.toFixed(0)} ms |`);
      console.log(`| heap used with the config loaded (after GC) | ${mib(after.heapUsed)} (before: ${mib(before.heapUsed)}) |`);
      console.log(`| RSS with the config loaded | ${mib(after.rss)} |`);
      console.log(`\ntarget full apply < 500 ms: ${Math.min(...full) < 500 ? 'HOLDS' : 'MISSED'}`);
    } finally {
      await dp.close();
    }
    await measureProcess(snapshot.version, snapshot.hash, copy());
  } finally {
    await cp.stop();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
