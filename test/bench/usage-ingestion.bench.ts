/**
 * Usage ingestion on the control plane (issue 5).
 *
 *   npm run bench:usage      (BATCHES=, ROWS=, PLANES=, INTERVAL_MS=, DURATION_S=, CONCURRENCY=, ROLL_INTERVAL_MS= to resize)
 *
 * 1. Throughput: BATCHES batches of ROWS rows from PLANES nodes wait in the queue; then the
 *    worker starts and applies them all. Prints batches and rows applied per second. No roller
 *    runs here; afterwards phase 1's minute is rolled on its own, and timed.
 * 2. Lag: PLANES simulated data planes (real UsageReporters: journal fsync, then BullMQ) each
 *    report a ROWS-row batch every INTERVAL_MS for DURATION_S while the worker runs and the
 *    roller rolls closed minutes into hour and day every ROLL_INTERVAL_MS (UsageRoller.rollOnce
 *    on a timer, as UsageRoller.start does). Lag is from a reporter closing a batch to the
 *    worker's transaction committing (BullMQ completed event), per batch; printed as
 *    percentiles, with the queue depth seen along the way, the roll passes and their durations,
 *    and the CPU used by this process (worker, reporters) and by Postgres.
 *
 * Everything (reporters, worker, Postgres, Redis) shares this machine's cores.
 */
import { UsageIngestionWorker, UsageRoller } from '@tollgate/control-plane';
import { UsageReporter } from '@tollgate/data-plane-usage';
import { startTestControlPlane, type TestControlPlane } from '@tollgate/testing';
import { LatencyHistogram, USAGE_JOB, USAGE_QUEUE, usageQueuePrefix, type UsageBatch, type UsageRow } from '@tollgate/usage';
import { Queue, QueueEvents } from 'bullmq';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';

const BATCHES = Number(process.env.BATCHES ?? 300);
const ROWS = Number(process.env.ROWS ?? 500);
const PLANES = Number(process.env.PLANES ?? 50);
const INTERVAL_MS = Number(process.env.INTERVAL_MS ?? 2000);
// Long enough for at least two minutes to close and be rolled while batches keep coming.
const DURATION_S = Number(process.env.DURATION_S ?? 150);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 4);
const ROLL_INTERVAL_MS = Number(process.env.ROLL_INTERVAL_MS ?? 5000);
/** Phase 1 and its roll, then phase 2 and up to 120 s of draining, with room to spare. */
const WATCHDOG_MS = (DURATION_S + 360) * 1000;

const log = (line: string) => process.stdout.write(`${line}\n`);

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

function uuid(kind: number, n: number): string {
  return `${kind.toString(16).padStart(8, '0')}-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
}

/**
 * A node's ROWS distinct keys (services, routes, consumers, statuses), each with a few calls and
 * realistic latency histograms. Every batch of a node repeats its keys, so batches within a
 * minute add into the same rollup rows, as steady traffic does.
 */
function rowsFor(node: number, minute: number, random: () => number): UsageRow[] {
  const rows: UsageRow[] = [];
  for (let k = 0; k < ROWS; k++) {
    const gateway = new LatencyHistogram();
    const upstream = new LatencyHistogram();
    const count = 1 + Math.floor(random() * 20);
    for (let c = 0; c < count; c++) {
      const up = 5 + random() * random() * 400;
      upstream.record(up);
      gateway.record(0.2 + random() * 2);
    }
    rows.push({
      minute,
      service_id: uuid(1, k % 40),
      route_id: uuid(2, k % 200),
      consumer_id: uuid(3, node * 1000 + Math.floor(k / 4)),
      status: [200, 201, 404, 500][k % 4]!,
      count,
      bytes_in: count * 300,
      bytes_out: count * 4000,
      gateway_latency: gateway.toBase64(),
      upstream_latency: upstream.toBase64(),
    });
  }
  return rows;
}

function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * CPU seconds used by every Postgres process (user + system, with exited backends through the
 * postmaster's reaped-children counters). Other sessions' queries on this Postgres count too.
 */
function postgresCpuSeconds(): number {
  let ticks = 0;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (!stat.includes('(postgres)')) continue;
      const fields = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
    } catch {
      // the process ended between the listing and the read
    }
  }
  return ticks / 100;
}

async function metricValue(cp: TestControlPlane, name: string): Promise<number> {
  const text = await (await fetch(`${cp.adminUrl}/metrics`)).text();
  return Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
}

async function appliedCount(cp: TestControlPlane): Promise<number> {
  const [row] = await cp.schema.query<{ n: string }>('SELECT count(*) AS n FROM usage_batches');
  return Number(row!.n);
}

async function throughput(cp: TestControlPlane, worker: UsageIngestionWorker, queue: Queue): Promise<void> {
  const random = seeded(1);
  const minute = Date.now() - (Date.now() % 60_000);
  const jobs: { name: string; data: UsageBatch; opts: { jobId: string } }[] = [];
  for (let b = 0; b < BATCHES; b++) {
    const node = b % PLANES;
    const seq = Math.floor(b / PLANES) + 1;
    const id = `bench-${node}:boot:${seq}`;
    const data: UsageBatch = { format: 1, id, node_id: `bench-${node}`, boot_id: 'boot', seq, region: `r${node % 3}`, flushed_at: Date.now(), rows: rowsFor(node, minute, random) };
    jobs.push({ name: USAGE_JOB, data, opts: { jobId: id } });
  }
  for (let i = 0; i < jobs.length; i += 50) await queue.addBulk(jobs.slice(i, i + 50));
  log(`phase 1: ${BATCHES} batches x ${ROWS} rows from ${PLANES} nodes queued; starting the worker (concurrency ${CONCURRENCY})`);
  const started = performance.now();
  const cpu = process.cpuUsage();
  worker.start({ redisUrl: cp.redisUrl, redisKeyPrefix: cp.redisKeyPrefix, concurrency: CONCURRENCY });
  while ((await appliedCount(cp)) < BATCHES) await new Promise((resolve) => setTimeout(resolve, 50));
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  log(`phase 1: this process (worker, Node) used ${((used.user + used.system) / 1e6).toFixed(1)} s of CPU; the rest is Postgres and Redis`);
  log(`phase 1: applied ${BATCHES} batches (${BATCHES * ROWS} rows into the minute rollup) in ${seconds.toFixed(2)} s`);
  log(`phase 1: ${(BATCHES / seconds).toFixed(1)} batches/s, ${Math.round((BATCHES * ROWS) / seconds)} rows/s`);
}

interface RollPass {
  readonly ms: number;
  readonly rolls: number;
  readonly minuteRows: number;
  readonly failures: number;
}

interface LagRun {
  readonly lags: number[];
  readonly sent: number;
  readonly maxDepth: number;
  readonly drainSeconds: number;
  readonly passes: RollPass[];
  readonly cpuSeconds: { readonly node: number; readonly postgres: number; readonly wall: number };
}

/** Rolls every ROLL_INTERVAL_MS after the previous pass ended, as UsageRoller.start does, timing each pass. */
function rollOnTimer(roller: UsageRoller, passes: RollPass[]): () => Promise<void> {
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let pass: Promise<void> = Promise.resolve();
  const tick = () => {
    const started = performance.now();
    pass = roller
      .rollOnce()
      .then(
        (s) => {
          if (s.rolls > 0 || s.failures > 0) passes.push({ ms: performance.now() - started, ...s });
        },
        (err: unknown) => {
          log(`roll pass failed: ${String(err)}`);
        },
      )
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, ROLL_INTERVAL_MS);
      });
  };
  timer = setTimeout(tick, ROLL_INTERVAL_MS);
  return async () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    await pass;
  };
}

async function lagRun(cp: TestControlPlane, queue: Queue, roller: UsageRoller): Promise<LagRun> {
  const flushedAt = new Map<string, number>();
  const lags: number[] = [];
  const events = new QueueEvents(USAGE_QUEUE, { connection: { url: cp.redisUrl }, prefix: usageQueuePrefix(cp.redisKeyPrefix) });
  events.on('completed', ({ jobId }) => {
    const at = flushedAt.get(jobId);
    if (at !== undefined) lags.push(Date.now() - at);
  });
  await events.waitUntilReady();
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-bench-usage-'));
  const logger = pino({ level: 'warn' });
  const reporters = await Promise.all(
    Array.from({ length: PLANES }, (_, i) =>
      UsageReporter.open({ nodeId: `plane-${i}`, region: `r${i % 3}`, redisUrl: cp.redisUrl, redisKeyPrefix: cp.redisKeyPrefix, journalDir: join(dir, `p${i}`), maxJournalBytes: 1 << 30, logger }),
    ),
  );
  let maxDepth = 0;
  const depthTimer = setInterval(() => {
    void queue.getJobCounts('waiting', 'active').then((c) => (maxDepth = Math.max(maxDepth, (c.waiting ?? 0) + (c.active ?? 0))));
  }, 500);
  const randoms = reporters.map((_, i) => seeded(100 + i));
  const passes: RollPass[] = [];
  const stopRolling = rollOnTimer(roller, passes);
  const cpu = { node: process.cpuUsage(), postgres: postgresCpuSeconds(), wall: performance.now() };
  const deadline = Date.now() + DURATION_S * 1000;
  let sent = 0;
  log(`phase 2: ${PLANES} data planes, one ${ROWS}-row batch each every ${INTERVAL_MS} ms, for ${DURATION_S} s`);
  await Promise.all(
    reporters.map(async (reporter, i) => {
      await new Promise((resolve) => setTimeout(resolve, (i * INTERVAL_MS) / PLANES)); // spread like real nodes
      for (let next = Date.now(); next < deadline; next += INTERVAL_MS) {
        const now = Date.now();
        const batch = await reporter.submit(rowsFor(i, now - (now % 60_000), randoms[i]!));
        if (batch) flushedAt.set(batch.id, batch.flushed_at);
        sent++;
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, next + INTERVAL_MS - Date.now())));
      }
    }),
  );
  const stopped = performance.now();
  while (lags.length < sent && performance.now() - stopped < 120_000) await new Promise((resolve) => setTimeout(resolve, 50));
  const drainSeconds = (performance.now() - stopped) / 1000;
  const nodeCpu = process.cpuUsage(cpu.node);
  const cpuSeconds = { node: (nodeCpu.user + nodeCpu.system) / 1e6, postgres: postgresCpuSeconds() - cpu.postgres, wall: (performance.now() - cpu.wall) / 1000 };
  await stopRolling();
  clearInterval(depthTimer);
  await Promise.all(reporters.map((r) => r.stop(1000)));
  await events.close();
  rmSync(dir, { recursive: true, force: true });
  return { lags, sent, maxDepth, drainSeconds, passes, cpuSeconds };
}

/** Rolls phase 1's minute (no batch comes for its nodes again), as one pass a minute later would. */
async function rollPhaseOne(roller: UsageRoller): Promise<void> {
  const started = performance.now();
  const summary = await roller.rollOnce(Date.now() + 2 * 60_000);
  const seconds = (performance.now() - started) / 1000;
  log(`phase 1 rolled: ${summary.minuteRows} minute rows of ${summary.rolls} nodes into hour and day in ${seconds.toFixed(2)} s (${Math.round(summary.minuteRows / seconds)} rows/s)`);
}

function printRolls(run: LagRun): void {
  const ms = run.passes.map((p) => p.ms);
  const rows = run.passes.reduce((n, p) => n + p.minuteRows, 0);
  const failures = run.passes.reduce((n, p) => n + p.failures, 0);
  if (ms.length === 0) {
    log('phase 2: no roll pass rolled anything (DURATION_S too short for a minute to close?)');
    return;
  }
  log(
    `phase 2: ${ms.length} roll passes rolled something: ${run.passes.reduce((n, p) => n + p.rolls, 0)} node rolls, ${rows} minute rows, ${failures} failures; ` +
      `pass duration p50 ${percentile(ms, 50).toFixed(0)} ms, max ${percentile(ms, 100).toFixed(0)} ms`,
  );
}

async function main(): Promise<number> {
  const watchdog = setTimeout(() => {
    process.stderr.write(`usage bench watchdog: over ${WATCHDOG_MS / 1000} s, giving up\n`);
    process.exit(2);
  }, WATCHDOG_MS);
  watchdog.unref();
  // The bench drives the roller itself (rollOnTimer), to time every pass.
  const cp = await startTestControlPlane('bench_usage', { usageWorkerConcurrency: 0, usageRollIntervalMs: 0 });
  const queue = new Queue(USAGE_QUEUE, { connection: { url: cp.redisUrl }, prefix: usageQueuePrefix(cp.redisKeyPrefix) });
  const worker = cp.app.get(UsageIngestionWorker);
  const roller = cp.app.get(UsageRoller);
  try {
    await throughput(cp, worker, queue);
    await rollPhaseOne(roller);
    const before = await appliedCount(cp);
    const lateBefore = await metricValue(cp, 'tollgate_usage_late_rows_total');
    const run = await lagRun(cp, queue, roller);
    const ms = (p: number) => `${percentile(run.lags, p).toFixed(0)} ms`;
    log(`phase 2: ${run.sent} batches sent (${run.sent * ROWS} rows), ${run.lags.length} applied (${(await appliedCount(cp)) - before} in usage_batches)`);
    log(`phase 2: offered ${(PLANES / (INTERVAL_MS / 1000)).toFixed(1)} batches/s = ${Math.round((PLANES * ROWS) / (INTERVAL_MS / 1000))} rows/s`);
    log(`phase 2: lag p50 ${ms(50)}, p95 ${ms(95)}, p99 ${ms(99)}, max ${ms(100)}; max queue depth seen ${run.maxDepth}; drained ${run.drainSeconds.toFixed(1)} s after the last batch`);
    printRolls(run);
    log(`phase 2: late rows (their minute already rolled when applied: written to all three rollups): ${(await metricValue(cp, 'tollgate_usage_late_rows_total')) - lateBefore}`);
    const { node, postgres, wall } = run.cpuSeconds;
    log(`phase 2: CPU over ${wall.toFixed(0)} s: this process (worker, roller, reporters) ${node.toFixed(1)} s, Postgres ${postgres.toFixed(1)} s (of ${(2 * wall).toFixed(0)} core-s on 2 cores)`);
    const [sizes] = await cp.schema.query<{ minute: string; hour: string; day: string }>(
      `SELECT pg_size_pretty(pg_total_relation_size('usage_minute')) AS minute, pg_size_pretty(pg_total_relation_size('usage_hour')) AS hour,
              pg_size_pretty(pg_total_relation_size('usage_day')) AS day`,
    );
    log(`rollup tables: minute ${sizes!.minute}, hour ${sizes!.hour}, day ${sizes!.day}`);
    return run.lags.length === run.sent ? 0 : 1;
  } finally {
    clearTimeout(watchdog);
    await queue.close();
    await cp.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`usage bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(2);
  },
);
