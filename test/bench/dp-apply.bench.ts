/**
 * Data-plane apply time and memory at marketplace scale (issue 3): a real in-process data plane
 * (router, plugin chains, consumer index, balancers) applying a full snapshot of 15,000 services,
 * 15,000 routes and 50,000 consumers with key-auth, then one-route changes.
 *
 *   npm run bench:apply          (SERVICES=, CONSUMERS= to resize)
 */
import { SnapshotBuilder } from '@tollgate/control-plane';
import { readDataPlaneSettings, startDataPlane } from '@tollgate/data-plane';
import { startTestControlPlane } from '@tollgate/testing';
import { DataSource } from 'typeorm';
import { loadFleetConfig } from './config-fixture';

const SERVICES = Number(process.env.SERVICES ?? 15_000);
const CONSUMERS = Number(process.env.CONSUMERS ?? 50_000);

const mib = (bytes: number) => `${(bytes / 1048576).toFixed(0)} MiB`;

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
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
