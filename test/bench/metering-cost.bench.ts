/**
 * What metering costs the proxy (issue 5): the data plane with TOLLGATE_USAGE on against off.
 * Target: metering on costs under 5% of the throughput.
 *
 *   npm run bench:metering   (= node -r ./tools/register.js test/bench/metering-cost.bench.ts)
 *
 * An A/B inside ONE process. Two separate data-plane processes on this 2-core machine differ by
 * 9-20% for as long as they live (JIT and memory layout), more than metering costs, so comparing
 * processes could neither show nor refute the target. Here this process pins itself (every
 * thread) to CPU 1 and starts, per row, three data planes with startDataPlane, each on its own
 * port, prefix (journal) and Redis key prefix, all given the same declarative config:
 *   `ref` (TOLLGATE_USAGE=off), `on` (metering on) and `placebo` (off again: the A/A control).
 * wrk (-t1) and an nginx upstream (`return 200`, 100-byte body) share CPU 0 and load one plane
 * at a time, in rounds of DURATION_S seconds. Each cycle runs the three planes forwards then
 * backwards (A B C C B A: linear drift cancels), the starting plane rotating from cycle to cycle.
 * The cost is `on` against `ref` by the median over rounds of req/s (the target's figure); the
 * placebo against `ref`, compared the same way, is the noise floor of that comparison. Only one
 * plane gets traffic at a time, so the process's CPU time over a round (process.cpuUsage) over
 * the calls the plane served in it is that plane's CPU per call: steadier than req/s.
 * Rows: `bare` (one route, no plugins: the cheapest call, so metering's largest share) and
 * `spread` (100 routes with key-auth, 100 consumers, wrk cycling through them: 100 usage cells).
 * After each row the planes are closed (the metered one flushes its last counts) and the usage
 * batches read back from Redis: the metered plane's must hold exactly the calls it served, the
 * others' none. Last, the metering code alone is timed in a loop (ns per call), for scale.
 *
 * Needs wrk and nginx (Debian: apt-get install wrk nginx), Redis at TOLLGATE_TEST_REDIS_URL.
 * Environment: CYCLES (6: 12 rounds per plane), DURATION_S (3), WARMUP_S (3), CONNECTIONS (50).
 * Exit: 0 target met in both rows, 1 missed, 2 the harness failed.
 */
import { ConfigHash, loadDeclarativeConfigFile } from '@tollgate/config';
import { readDataPlaneSettings, startDataPlane, type RunningDataPlane } from '@tollgate/data-plane';
import { validatePluginConfig } from '@tollgate/plugins';
import { deleteRedisKeys, freePort, TEST_REDIS_URL } from '@tollgate/testing';
import { execFileSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  CHECK_PATH,
  log,
  mean,
  median,
  meteredCalls,
  meteringPathNs,
  pct,
  ROUTES,
  ROWS,
  runWrk,
  sleep,
  startUpstream,
  writeBenchFiles,
  type Row,
} from './metering-fixture';

const CYCLES = Number(process.env.CYCLES ?? 6);
const DURATION_S = Number(process.env.DURATION_S ?? 3);
const WARMUP_S = Number(process.env.WARMUP_S ?? 3);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 50);
const LOAD_CPU = '0';
const PROXY_CPU = '1';
const TARGET_COST = 0.05;
/** After wrk exits, time for the plane to handle the closing connections before the round's CPU is read. */
const SETTLE_MS = 200;

const dir = mkdtempSync(join(tmpdir(), 'tollgate-metering-bench-'));
const redisKeyPrefix = `tollgate-test:metering-bench:${randomBytes(4).toString('hex')}:`;
const children = new Set<ChildProcess>();
const open = new Set<RunningDataPlane>();

type Role = 'ref' | 'on' | 'placebo';
const ROLES: readonly Role[] = ['ref', 'on', 'placebo'];

interface Round {
  readonly cycle: number;
  readonly rps: number;
  /** Process CPU (user + system) per call the plane served in the round. */
  readonly cpuUs: number;
  /** Process CPU over the round's wall time: ~1 when the plane is the bottleneck. */
  readonly busy: number;
  readonly p50: number;
  readonly p99: number;
}

interface Plane {
  readonly role: Role;
  readonly dp: RunningDataPlane;
  readonly url: string;
  readonly redisKeyPrefix: string;
  readonly rounds: Round[];
}

async function startPlane(row: Row, role: Role): Promise<Plane> {
  const port = await freePort();
  const planeKeyPrefix = `${redisKeyPrefix}${row}-${role}:`;
  const settings = readDataPlaneSettings({
    TOLLGATE_USAGE: role === 'on' ? 'on' : 'off',
    TOLLGATE_REDIS_KEY_PREFIX: planeKeyPrefix,
    REDIS_URL: TEST_REDIS_URL,
    TOLLGATE_WORKERS: '0',
    TOLLGATE_CONTROL_PLANE: 'off',
    TOLLGATE_PROXY_LISTEN: `127.0.0.1:${port}`,
    TOLLGATE_PROXY_SSL_LISTEN: 'off',
    TOLLGATE_STATUS_LISTEN: 'off',
    TOLLGATE_PREFIX: join(dir, `prefix-${row}-${role}`),
    TOLLGATE_NODE_NAME: `bench-${row}-${role}`,
    TOLLGATE_DRAIN_TIMEOUT: '5000',
    TOLLGATE_LOG_LEVEL: 'warn',
  });
  // As main.ts serves one: usage slot 0 (a recorder only when TOLLGATE_USAGE is on), then the declarative file.
  const dp = await startDataPlane(settings, { usageSlot: 0 });
  open.add(dp);
  const entities = loadDeclarativeConfigFile(join(dir, `${row}.yml`), { validatePluginConfig });
  const outcome = dp.applySnapshot({ version: 0, hash: ConfigHash.of(entities).hex(), entities });
  if (!outcome.ok) throw new Error(`${row}/${role}: config refused: ${JSON.stringify(outcome.errors.slice(0, 3))}`);
  const check = await fetch(`${dp.proxyUrl}${CHECK_PATH[row]}`, { headers: { apikey: 'key-0' } });
  await check.arrayBuffer();
  if (check.status !== 200) throw new Error(`${row}/${role}: GET ${CHECK_PATH[row]} answered ${check.status}`);
  return { role, dp, url: `${dp.proxyUrl}${CHECK_PATH[row]}`, redisKeyPrefix: planeKeyPrefix, rounds: [] };
}

/** Calls the plane has finished (its proxy metrics: every call that reached the log phase). */
async function served(plane: Plane): Promise<number> {
  return (await plane.dp.stats()).metrics.requestsByClass.reduce((a, b) => a + b, 0);
}

async function measure(plane: Plane, row: Row, seconds: number): Promise<Round & { errors: number }> {
  const servedBefore = await served(plane);
  const wall = performance.now();
  const cpu = process.cpuUsage();
  const result = await runWrk(LOAD_CPU, plane.url, seconds, join(dir, `${row}.lua`), CONNECTIONS, children);
  await sleep(SETTLE_MS);
  const used = process.cpuUsage(cpu);
  const elapsedUs = (performance.now() - wall) * 1000;
  const calls = (await served(plane)) - servedBefore;
  return {
    cycle: -1,
    rps: result.requests / (result.duration_us / 1e6),
    cpuUs: (used.user + used.system) / calls,
    busy: (used.user + used.system) / elapsedUs,
    p50: result.p50_us / 1000,
    p99: result.p99_us / 1000,
    errors: result.errors,
  };
}

/** Cycle k: the planes in a rotated order forwards then backwards (ref on placebo placebo on ref, ...). */
function schedule(planes: readonly Plane[], cycle: number): Plane[] {
  const forwards = planes.map((_, i) => planes[(i + cycle) % planes.length]!);
  return [...forwards, ...[...forwards].reverse()];
}

interface RowResult {
  readonly row: Row;
  readonly planes: Record<Role, Plane>;
  readonly metered: number;
  readonly servedOn: number;
}

async function runRow(row: Row): Promise<RowResult> {
  const planes: Plane[] = [];
  for (const role of ROLES) planes.push(await startPlane(row, role));
  for (const plane of planes) await measure(plane, row, WARMUP_S);
  for (let cycle = 0; cycle < CYCLES; cycle++) {
    for (const plane of schedule(planes, cycle)) {
      const { errors, ...round } = await measure(plane, row, DURATION_S);
      if (errors > 0) throw new Error(`${row}/${plane.role}: wrk saw ${errors} errors`);
      plane.rounds.push({ ...round, cycle });
      log(
        `${row.padEnd(6)} cycle ${cycle + 1} ${plane.role.padEnd(7)}: ${round.rps.toFixed(0).padStart(6)} req/s  ${round.cpuUs.toFixed(2)} CPU-us/call  ` +
          `CPU ${(round.busy * 100).toFixed(0)}%  p50 ${round.p50.toFixed(2)} ms  p99 ${round.p99.toFixed(2)} ms`,
      );
    }
  }
  const byRole = Object.fromEntries(planes.map((p) => [p.role, p])) as Record<Role, Plane>;
  const servedOn = await served(byRole.on);
  // Graceful close: the metered plane journals and sends its last counts before close() returns.
  for (const plane of planes) {
    await plane.dp.close();
    open.delete(plane.dp);
  }
  const metered = await meteredCalls(byRole.on.redisKeyPrefix);
  for (const plane of [byRole.ref, byRole.placebo]) {
    const stray = await meteredCalls(plane.redisKeyPrefix);
    if (stray !== 0) throw new Error(`${row}/${plane.role}: metering is off, yet ${stray} calls were metered`);
  }
  log(`${row}: the metered plane served ${servedOn} calls; its usage batches in Redis hold ${metered}: ${metered === servedOn ? 'every one' : 'MISMATCH'}`);
  if (metered !== servedOn) throw new Error(`${row}: the metered plane served ${servedOn} calls but its batches hold ${metered}`);
  return { row, planes: byRole, metered, servedOn };
}

/** 1 - b/a for req/s (throughput lost), b/a - 1 for CPU per call (CPU added). */
const lost = (a: number, b: number) => 1 - b / a;
const added = (a: number, b: number) => b / a - 1;

/** Per cycle: the mean of a plane's two rounds in it. */
function perCycle(plane: Plane, metric: 'rps' | 'cpuUs'): number[] {
  return Array.from({ length: CYCLES }, (_, c) => mean(plane.rounds.filter((r) => r.cycle === c).map((r) => r[metric])));
}

function report(results: readonly RowResult[], micro: Record<Row, number>): boolean {
  const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');
  process.stdout.write(
    `\n| row | plane | median req/s | mean req/s | median CPU-us/call | mean CPU-us/call | median p50 / p99 ms | process CPU |\n|---|---|---:|---:|---:|---:|---|---:|\n`,
  );
  for (const { row, planes } of results) {
    for (const role of ROLES) {
      const rs = planes[role].rounds;
      const col = (k: 'rps' | 'cpuUs' | 'p50' | 'p99' | 'busy') => rs.map((r) => r[k]);
      process.stdout.write(
        `| ${row} | ${role} | ${median(col('rps')).toFixed(0)} | ${mean(col('rps')).toFixed(0)} | ${median(col('cpuUs')).toFixed(2)} | ${mean(col('cpuUs')).toFixed(2)} | ` +
          `${median(col('p50')).toFixed(2)} / ${median(col('p99')).toFixed(2)} | ${(median(col('busy')) * 100).toFixed(0)}% |\n`,
      );
    }
  }
  let met = true;
  const lines: string[] = [];
  for (const { row, planes } of results) {
    const { ref, on, placebo } = planes;
    const rps = (p: Plane) => p.rounds.map((r) => r.rps);
    const cpu = (p: Plane) => p.rounds.map((r) => r.cpuUs);
    const cost = lost(median(rps(ref)), median(rps(on)));
    const cycles = perCycle(ref, 'rps').map((r, c) => lost(r, perCycle(on, 'rps')[c]!));
    const aaCycles = perCycle(ref, 'rps').map((r, c) => lost(r, perCycle(placebo, 'rps')[c]!));
    lines.push(
      `${row}: metering costs ${pct(cost)} of req/s (median of ${on.rounds.length} rounds; by the mean ${pct(lost(mean(rps(ref)), mean(rps(on))))}; ` +
        `per cycle ${cycles.map(pct).join(', ')}) and adds ${pct(added(median(cpu(ref)), median(cpu(on))))} CPU per call ` +
        `(by the mean ${pct(added(mean(cpu(ref)), mean(cpu(on))))}) -> ${cost < TARGET_COST ? 'HOLDS' : 'MISSED'}\n` +
        `  A/A control, placebo against ref the same way: ${pct(lost(median(rps(ref)), median(rps(placebo))))} of req/s ` +
        `(per cycle ${aaCycles.map(pct).join(', ')}), ${pct(added(median(cpu(ref)), median(cpu(placebo))))} CPU per call; ` +
        `on against placebo: ${pct(lost(median(rps(placebo)), median(rps(on))))} of req/s, ${pct(added(median(cpu(placebo)), median(cpu(on))))} CPU per call\n` +
        `  the metering code alone: ${micro[row].toFixed(0)} ns per call, ${pct(micro[row] / 1000 / median(cpu(ref)))} of an unmetered call's ${median(cpu(ref)).toFixed(1)} CPU-us`,
    );
    if (!(cost < TARGET_COST)) met = false;
  }
  process.stdout.write(`\n${lines.join('\n')}\nload average at the end: ${load()}\n`);
  return met;
}

async function main(): Promise<number> {
  if (cpus().length < 2) throw new Error('needs 2 cores: load and upstream on one, the data planes on the other');
  // Every thread of this process (and those it starts later: libuv's pool, V8's) on the proxy CPU.
  execFileSync('taskset', ['-a', '-p', '-c', PROXY_CPU, String(process.pid)], { stdio: 'ignore' });
  log(`machine: ${cpus().length} cores (${cpus()[0]?.model}), Node ${process.version}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const upstreamPort = await freePort();
  writeBenchFiles(dir, upstreamPort);
  await startUpstream(dir, LOAD_CPU, upstreamPort, children);
  log(
    `in one process on CPU ${PROXY_CPU}: per row 3 data planes (ref: off, on, placebo: off); wrk -t1 -c${CONNECTIONS} and nginx on CPU ${LOAD_CPU}; ` +
      `${WARMUP_S}s warm-up each, then ${CYCLES} cycles of ${2 * ROLES.length} rounds of ${DURATION_S}s (${2 * CYCLES} rounds per plane)`,
  );
  const results: RowResult[] = [];
  for (const row of ROWS) results.push(await runRow(row));
  // After the A/B, so the loop's type feedback never reaches the planes' code.
  const micro = { bare: await meteringPathNs(1, dir, redisKeyPrefix), spread: await meteringPathNs(ROUTES, dir, redisKeyPrefix) };
  return report(results, micro) ? 0 : 1;
}

async function cleanup(): Promise<void> {
  await Promise.all([...open].map((dp) => dp.close().catch(() => undefined)));
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  await sleep(500);
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await deleteRedisKeys(redisKeyPrefix).catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
}

const watchdog = setTimeout(
  () => {
    log('watchdog: run took too long');
    void cleanup().finally(() => process.exit(2));
  },
  (ROWS.length * (ROLES.length * (WARMUP_S + 2) + 2 * ROLES.length * CYCLES * (DURATION_S + 2) + 30) + 180) * 1000,
);
watchdog.unref();

main().then(
  async (code) => {
    await cleanup();
    process.exit(code);
  },
  async (err: unknown) => {
    log(`ERROR: ${err instanceof Error ? err.stack : String(err)}`);
    await cleanup();
    process.exit(2);
  },
);
