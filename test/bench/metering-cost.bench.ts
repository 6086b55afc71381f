/**
 * What metering costs the proxy (issue 5): the data plane with TOLLGATE_USAGE on against off.
 * Target: metering on costs under 5% of the throughput.
 *
 *   npm run bench:metering   (= node -r ./tools/register.js test/bench/metering-cost.bench.ts)
 *
 * An A/B inside ONE process, switched every quarter second. Two data-plane processes on this
 * 2-core VM differ by 9-20% for as long as they live (JIT and memory layout), and one process's
 * CPU cost per call drifts by 20-60% from one 3-second stretch to the next with the host's load
 * (even with nothing else running in the VM), both more than metering costs. So this process
 * pins itself (every thread) to CPU 1 and starts, per row, three data planes with startDataPlane,
 * each on its own port, prefix (journal) and Redis key prefix, all given the same declarative
 * config: `ref` (TOLLGATE_USAGE=off), `on` (metering on) and `placebo` (off again: the A/A control).
 * Three wrk processes (-t1 -c50, one per plane) and an nginx upstream (`return 200`, 100-byte
 * body) share CPU 0; all but one wrk are held with SIGSTOP, so one plane at a time gets traffic,
 * for a slice of SLICE_MS. A cycle gives the planes a slice each forwards then backwards
 * (A B C C B A: linear drift cancels), the first plane rotating from cycle to cycle.
 * Per slice: the calls each plane finished (its proxy metrics) and this process's CPU time
 * (process.cpuUsage). Req/s is the active plane's calls over the slice; CPU per call is the
 * slice's CPU over all calls finished in it (the paused plane's last in-flight calls finish at the
 * start of the next slice: the "tail", printed). Printed per plane: the median and mean of its
 * slices. The cost is `on` against `ref` paired within each cycle (their req/s over the cycle's
 * two slices each), averaged over the cycles with a 95% interval (mean +- 2 standard errors):
 * the target HOLDS when the whole interval is under 5%, is MISSED when it is all above, and is
 * NOT SHOWN otherwise. The placebo against `ref`, computed the same way, is the A/A control: its
 * interval should hold 0. Other work on the machine (another session compiling, say) is printed
 * per row: CPU time on CPU 1 not spent by this process, and on CPU 0 not spent by wrk and nginx
 * (/proc/stat against the processes' own counters); it widens the intervals but, hitting the
 * planes' slices alike, should not move them.
 * Rows: `bare` (one route, no plugins: the cheapest call, so metering's largest share) and
 * `spread` (100 routes with key-auth, 100 consumers, wrk cycling through them: 100 usage cells).
 * After each row the planes are closed (the metered one flushes its last counts) and the usage
 * batches read back from Redis: the metered plane's must hold exactly the calls it served, the
 * others' none. Last, the metering code alone is timed in a loop (ns per call), for scale.
 *
 * Installs wrk and nginx from Debian's packages when missing; needs Redis at TOLLGATE_TEST_REDIS_URL.
 * Environment: CYCLES (60), SLICE_MS (250), WARMUP_CYCLES (8), CONNECTIONS (50).
 * Exit: 0 target shown to hold in both rows, 1 missed or not shown in a row, 2 the harness failed.
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
  cpuTicks,
  ensureTools,
  log,
  mean,
  median,
  meteredCalls,
  meteringPathNs,
  pct,
  ROUTES,
  ROWS,
  sleep,
  startUpstream,
  startWrkLoad,
  writeBenchFiles,
  type Row,
  type WrkLoad,
} from './metering-fixture';

const CYCLES = Number(process.env.CYCLES ?? 60);
const SLICE_MS = Number(process.env.SLICE_MS ?? 250);
const WARMUP_CYCLES = Number(process.env.WARMUP_CYCLES ?? 8);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 50);
const LOAD_CPU = '0';
const PROXY_CPU = '1';
const TARGET_COST = 0.05;

const dir = mkdtempSync(join(tmpdir(), 'tollgate-metering-bench-'));
const redisKeyPrefix = `tollgate-test:metering-bench:${randomBytes(4).toString('hex')}:`;
const children = new Set<ChildProcess>();
const open = new Set<RunningDataPlane>();
const loads = new Set<WrkLoad>();
let upstreamCpuUs: () => number = () => 0;

type Role = 'ref' | 'on' | 'placebo';
const ROLES: readonly Role[] = ['ref', 'on', 'placebo'];

interface Plane {
  readonly role: Role;
  readonly dp: RunningDataPlane;
  readonly url: string;
  readonly redisKeyPrefix: string;
}

/** One plane's slice of a cycle. */
interface Slice {
  readonly role: Role;
  readonly ms: number;
  /** Calls the active plane finished. */
  readonly calls: number;
  /** Calls the paused planes finished (in flight when they were paused). */
  readonly tail: number;
  /** This process's CPU (user + system) in the slice. */
  readonly cpuUs: number;
}

interface Cycle {
  readonly slices: Slice[];
  /** Share of CPU 1 taken by anything but this process (other processes, the hypervisor's steal, interrupts). */
  readonly foreign1: number;
  /** Share of CPU 0 taken by anything but wrk and the nginx worker. */
  readonly foreign0: number;
}

const rpsOf = (s: Slice) => (s.calls / s.ms) * 1000;
const cpuPerCallOf = (s: Slice) => s.cpuUs / (s.calls + s.tail);

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
  const outcome = await dp.applySnapshot({ version: 0, hash: ConfigHash.of(entities).hex(), entities });
  if (!outcome.ok) throw new Error(`${row}/${role}: config refused: ${JSON.stringify(outcome.errors.slice(0, 3))}`);
  const check = await fetch(`${dp.proxyUrl}${CHECK_PATH[row]}`, { headers: { apikey: 'key-0' } });
  await check.arrayBuffer();
  if (check.status !== 200) throw new Error(`${row}/${role}: GET ${CHECK_PATH[row]} answered ${check.status}`);
  return { role, dp, url: `${dp.proxyUrl}${CHECK_PATH[row]}`, redisKeyPrefix: planeKeyPrefix };
}

/** Calls each plane has finished, by status class (its proxy metrics: every call that reached the log phase). */
async function finished(planes: readonly Plane[]): Promise<number[][]> {
  return Promise.all(planes.map(async (p) => (await p.dp.stats()).metrics.requestsByClass));
}
const total = (byClass: number[]) => byClass.reduce((a, b) => a + b, 0);

/** Cycle k: the planes in a rotated order forwards then backwards (ref on placebo placebo on ref, ...). */
function schedule(count: number, cycle: number): number[] {
  const forwards = Array.from({ length: count }, (_, i) => (i + cycle) % count);
  return [...forwards, ...[...forwards].reverse()];
}

async function runCycle(planes: readonly Plane[], wrks: readonly WrkLoad[], index: number): Promise<Cycle> {
  const ticks = cpuTicks();
  const cycleCpu = process.cpuUsage();
  const loadCpu = wrks.reduce((sum, w) => sum + w.cpuUs(), upstreamCpuUs());
  const slices: Slice[] = [];
  for (const active of schedule(planes.length, index)) {
    wrks.forEach((w, i) => i !== active && w.pause());
    wrks[active]!.resume();
    const [t0, cpu, before] = [performance.now(), process.cpuUsage(), (await finished(planes)).map(total)];
    await sleep(SLICE_MS);
    const [t1, used, after] = [performance.now(), process.cpuUsage(cpu), (await finished(planes)).map(total)];
    const calls = after.map((n, i) => n - before[i]!);
    slices.push({ role: planes[active]!.role, ms: t1 - t0, calls: calls[active]!, tail: total(calls) - calls[active]!, cpuUs: used.user + used.system });
  }
  const ours = process.cpuUsage(cycleCpu);
  const [cpu0, cpu1] = cpuTicks().map(([busy, all], i) => ({ busyUs: (busy - ticks[i]![0]) * 1e4, allUs: (all - ticks[i]![1]) * 1e4 }));
  const loadUsed = wrks.reduce((sum, w) => sum + w.cpuUs(), upstreamCpuUs()) - loadCpu;
  return {
    slices,
    foreign1: Math.max(0, (cpu1!.busyUs - ours.user - ours.system) / cpu1!.allUs),
    foreign0: Math.max(0, (cpu0!.busyUs - loadUsed) / cpu0!.allUs),
  };
}

interface RowResult {
  readonly row: Row;
  readonly cycles: Cycle[];
}

async function runRow(row: Row): Promise<RowResult> {
  const planes: Plane[] = [];
  for (const role of ROLES) planes.push(await startPlane(row, role));
  const seconds = Math.ceil(((CYCLES + WARMUP_CYCLES) * 2 * ROLES.length * (SLICE_MS + 50)) / 1000) + 60;
  const wrks: WrkLoad[] = [];
  for (const plane of planes) {
    const wrk = await startWrkLoad(LOAD_CPU, plane.url, join(dir, `${row}.lua`), CONNECTIONS, seconds, children);
    loads.add(wrk);
    wrks.push(wrk);
  }
  for (let i = 0; i < WARMUP_CYCLES; i++) await runCycle(planes, wrks, i);
  const cycles: Cycle[] = [];
  for (let i = 0; i < CYCLES; i++) {
    const cycle = await runCycle(planes, wrks, i);
    cycles.push(cycle);
    if (i % 10 === 9 || i === CYCLES - 1) {
      const recent = cycles.slice(-10);
      const busy = (k: 'foreign1' | 'foreign0') => `${pct(median(recent.map((c) => c[k])))} (up to ${pct(Math.max(...recent.map((c) => c[k])))})`;
      log(`${row}: ${i + 1}/${CYCLES} cycles; other work in the last ${recent.length}: CPU 1 ${busy('foreign1')}, CPU 0 ${busy('foreign0')}`);
    }
  }
  for (const wrk of wrks) {
    await wrk.end();
    loads.delete(wrk);
  }
  await sleep(300); // the planes see the connections close
  const counts = await finished(planes);
  counts.forEach((byClass, i) => {
    if (byClass[2] !== total(byClass)) throw new Error(`${row}/${planes[i]!.role}: ${total(byClass) - byClass[2]!} of ${total(byClass)} calls were not 2xx`);
  });
  const on = planes.findIndex((p) => p.role === 'on');
  const servedOn = total(counts[on]!);
  // Graceful close: the metered plane journals and sends its last counts before close() returns.
  for (const plane of planes) {
    await plane.dp.close();
    open.delete(plane.dp);
  }
  for (const plane of planes) {
    const metered = await meteredCalls(plane.redisKeyPrefix);
    if (plane.role !== 'on' && metered !== 0) throw new Error(`${row}/${plane.role}: metering is off, yet ${metered} calls were metered`);
    if (plane.role !== 'on') continue;
    log(`${row}: the metered plane served ${servedOn} calls; its usage batches in Redis hold ${metered}: ${metered === servedOn ? 'every one' : 'MISMATCH'}`);
    if (metered !== servedOn) throw new Error(`${row}: the metered plane served ${servedOn} calls but its batches hold ${metered}`);
  }
  return { row, cycles };
}

const fixed = (x: number, digits: number) => (Number.isNaN(x) ? '-' : x.toFixed(digits));

/** Mean and 95% interval (mean +- 2 standard errors) of a sample. */
function interval(xs: readonly number[]): { mean: number; low: number; high: number } {
  const m = mean(xs);
  const se = Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1) / xs.length);
  return { mean: m, low: m - 2 * se, high: m + 2 * se };
}
const range = (i: { mean: number; low: number; high: number }) => `${pct(i.mean)} [${pct(i.low)}, ${pct(i.high)}]`;

/**
 * Per cycle, the throughput `role` lost against the `baseline` planes (1 - its req/s over theirs,
 * each over its two slices), or the CPU per call it added.
 */
function pairedCosts(cycles: readonly Cycle[], role: Role, metric: 'rps' | 'cpu', baseline: readonly Role[] = ['ref']): number[] {
  return cycles.map((c) => {
    const of = (r: Role) => {
      const ss = c.slices.filter((s) => s.role === r);
      const calls = ss.reduce((a, s) => a + s.calls, 0);
      return metric === 'rps' ? calls / ss.reduce((a, s) => a + s.ms, 0) : ss.reduce((a, s) => a + s.cpuUs, 0) / (calls + ss.reduce((a, s) => a + s.tail, 0));
    };
    const base = mean(baseline.map(of));
    return metric === 'rps' ? 1 - of(role) / base : of(role) / base - 1;
  });
}

/** Prints the table and verdicts; 0 target shown to hold in both rows, 1 missed or not shown. */
function report(results: readonly RowResult[], micro: Record<Row, number>): number {
  process.stdout.write(
    `\n| row | plane | median req/s | mean req/s | median CPU-us/call | mean CPU-us/call | process CPU | tail |\n|---|---|---:|---:|---:|---:|---:|---:|\n`,
  );
  let verdict = 0;
  const lines: string[] = [];
  for (const { row, cycles } of results) {
    const slices = (role: Role) => cycles.flatMap((c) => c.slices.filter((s) => s.role === role));
    for (const role of ROLES) {
      const ss = slices(role);
      const busy = ss.reduce((a, s) => a + s.cpuUs, 0) / ss.reduce((a, s) => a + s.ms * 1000, 0);
      const tail = ss.reduce((a, s) => a + s.tail, 0) / ss.reduce((a, s) => a + s.calls + s.tail, 0);
      process.stdout.write(
        `| ${row} | ${role} | ${fixed(median(ss.map(rpsOf)), 0)} | ${fixed(mean(ss.map(rpsOf)), 0)} | ${fixed(median(ss.map(cpuPerCallOf)), 2)} | ` +
          `${fixed(mean(ss.map(cpuPerCallOf)), 2)} | ${pct(busy)} | ${pct(tail)} |\n`,
      );
    }
    const bySlices = (role: Role, of: (s: Slice) => number, avg: (xs: number[]) => number) => avg(slices(role).map(of));
    const cost = interval(pairedCosts(cycles, 'on', 'rps'));
    const aa = interval(pairedCosts(cycles, 'placebo', 'rps'));
    const cpu = interval(pairedCosts(cycles, 'on', 'cpu'));
    const aaCpu = interval(pairedCosts(cycles, 'placebo', 'cpu'));
    const outcome = cost.high < TARGET_COST ? 'HOLDS' : cost.low >= TARGET_COST ? 'MISSED' : 'NOT SHOWN';
    const refCpu = bySlices('ref', cpuPerCallOf, median);
    lines.push(
      `${row}: metering costs ${range(cost)} of req/s (paired per cycle, ${cycles.length} cycles; ` +
        `medians of slices ${pct(1 - bySlices('on', rpsOf, median) / bySlices('ref', rpsOf, median))}, means ${pct(1 - bySlices('on', rpsOf, mean) / bySlices('ref', rpsOf, mean))}) ` +
        `and adds ${range(cpu)} CPU per call -> ${outcome}\n` +
        `  A/A control, placebo against ref the same way: ${range(aa)} of req/s, ${range(aaCpu)} CPU per call\n` +
        `  on against the mean of both unmetered planes: ${range(interval(pairedCosts(cycles, 'on', 'rps', ['ref', 'placebo'])))} of req/s, ` +
        `${range(interval(pairedCosts(cycles, 'on', 'cpu', ['ref', 'placebo'])))} CPU per call\n` +
        `  other work on the machine during the cycles (median): CPU 1 ${pct(median(cycles.map((c) => c.foreign1)))}, CPU 0 ${pct(median(cycles.map((c) => c.foreign0)))}\n` +
        `  the metering code alone: ${micro[row].toFixed(0)} ns per call, ${pct(micro[row] / 1000 / refCpu)} of an unmetered call's ${fixed(refCpu, 1)} CPU-us`,
    );
    if (outcome !== 'HOLDS') verdict = 1;
  }
  process.stdout.write(`\n${lines.join('\n')}\nload average at the end: ${loadavg().map((l) => l.toFixed(2)).join(' ')}\n`);
  return verdict;
}

async function main(): Promise<number> {
  if (cpus().length < 2) throw new Error('needs 2 cores: load and upstream on one, the data planes on the other');
  ensureTools();
  // Every thread of this process (and those it starts later: libuv's pool, V8's) on the proxy CPU.
  execFileSync('taskset', ['-a', '-p', '-c', PROXY_CPU, String(process.pid)], { stdio: 'ignore' });
  log(`machine: ${cpus().length} cores (${cpus()[0]?.model}), Node ${process.version}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const upstreamPort = await freePort();
  writeBenchFiles(dir, upstreamPort);
  upstreamCpuUs = await startUpstream(dir, LOAD_CPU, upstreamPort, children);
  log(
    `in one process on CPU ${PROXY_CPU}: per row 3 data planes (ref: off, on, placebo: off), each loaded by its own wrk -t1 -c${CONNECTIONS} ` +
      `(nginx and wrk on CPU ${LOAD_CPU}), one at a time for ${SLICE_MS} ms; ${WARMUP_CYCLES} warm-up cycles, then ${CYCLES} cycles of ${2 * ROLES.length} slices`,
  );
  const results: RowResult[] = [];
  for (const row of ROWS) results.push(await runRow(row));
  // After the A/B, so the loop's type feedback never reaches the planes' code.
  const micro = { bare: await meteringPathNs(1, dir, redisKeyPrefix), spread: await meteringPathNs(ROUTES, dir, redisKeyPrefix) };
  return report(results, micro);
}

async function cleanup(): Promise<void> {
  await Promise.all([...loads].map((wrk) => wrk.end().catch(() => undefined)));
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
  (ROWS.length * ((CYCLES + WARMUP_CYCLES) * 2 * ROLES.length * (SLICE_MS + 100) * 1.5 + 60_000) + 120_000),
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
