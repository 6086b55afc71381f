/**
 * What metering costs the proxy (issue 5): the data plane with TOLLGATE_USAGE on against off.
 * Target: metering on costs under 5% of the throughput.
 *
 *   npm run bench:metering   (= node -r ./tools/register.js test/bench/metering-cost.bench.ts)
 *
 * Two measurements:
 * 1. The metering code itself, in this process: what the proxy's log phase does per call with
 *    metering on (two socket counter reads, two stores, UsageRecorder.record) on a real socket,
 *    in ns per call, as a share of the CPU a whole proxied call costs (from phase 2).
 * 2. Whole data planes under wrk. Layout on this 2-core machine: wrk and an nginx upstream
 *    (`return 200`, 100-byte body) share CPU 0; data-plane processes (TOLLGATE_WORKERS=0) are
 *    pinned to CPU 1 and only the one measured gets traffic. Two identical processes differ here
 *    by up to ~20% for as long as they live (JIT and memory layout: an A/A effect larger than what
 *    is measured), so one process per mode proves nothing: PAIRS fresh pairs (one off, one on,
 *    started together) are measured per row, each process ROUNDS times (alternating within the
 *    pair), and modes are compared by the median over their processes. The spread of the
 *    unmetered processes is printed as the noise floor. Rows: `bare` (one route, no plugins: the
 *    cheapest call, so metering's largest share) and `spread` (100 routes with key-auth and 100
 *    consumers, wrk cycling through them: 100 usage cells a minute instead of one).
 * Each metered process is stopped gracefully and its batches read back from Redis: they must hold
 * every call it served.
 *
 * Environment: PAIRS (4), ROUNDS (2), DURATION_S (5), WARMUP_S (3), CONNECTIONS (50).
 * Exit: 0 target met in both rows (by the process medians), 1 missed, 2 the harness failed.
 */
import { deleteRedisKeys, freePort, TEST_REDIS_URL } from '@tollgate/testing';
import { USAGE_QUEUE, usageQueuePrefix, type UsageBatch } from '@tollgate/usage';
import { Queue } from 'bullmq';
import { UsageRecorder } from '@tollgate/data-plane-usage';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createNetServer, connect as connectNet, type AddressInfo, type Socket } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';

const PAIRS = Number(process.env.PAIRS ?? 4);
const ROUNDS = Number(process.env.ROUNDS ?? 2);
const DURATION_S = Number(process.env.DURATION_S ?? 5);
const WARMUP_S = Number(process.env.WARMUP_S ?? 3);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 50);
const LOAD_CPU = '0';
const PROXY_CPU = '1';
const ROUTES = 100;
const ROOT = join(__dirname, '..', '..');
const TARGET_COST = 0.05;

const dir = mkdtempSync(join(tmpdir(), 'tollgate-metering-bench-'));
const children: ChildProcess[] = [];
const redisKeyPrefix = `tollgate-test:metering-bench:${randomBytes(4).toString('hex')}:`;

function log(message: string): void {
  process.stdout.write(`[${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

function start(name: string, cpu: string, command: string, args: string[], env: Record<string, string> = {}): ChildProcess {
  const child = spawn('taskset', ['-c', cpu, command, ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output = (output + c.toString()).slice(-4000)));
  child.stderr!.on('data', (c: Buffer) => (output = (output + c.toString()).slice(-4000)));
  child.once('exit', (code, signal) => {
    if (!stopping && !name.includes('/')) log(`${name} exited (${code ?? signal}): ${output}`);
  });
  children.push(child);
  return child;
}

let stopping = false;
async function cleanup(): Promise<void> {
  stopping = true;
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  await new Promise((resolve) => setTimeout(resolve, 1500));
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await deleteRedisKeys(redisKeyPrefix).catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
}

async function waitHttp(url: string, want: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await fetch(url, { signal: AbortSignal.timeout(1000) }).then(
      async (r) => (await r.arrayBuffer(), r.status),
      () => 0,
    );
    if (status === want) return;
    if (Date.now() > deadline) throw new Error(`${url} did not answer ${want} (last ${status})`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** CPU seconds a process has used (user + system), from /proc. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

interface WrkResult {
  requests: number;
  duration_us: number;
  errors: number;
  p50_us: number;
  p99_us: number;
}

const WRK_DONE = `done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRKJSON {"requests":%d,"duration_us":%d,"errors":%d,"p50_us":%d,"p99_us":%d}\\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
`;

function wrk(url: string, seconds: number, script: string): WrkResult {
  const out = execFileSync('taskset', ['-c', LOAD_CPU, 'timeout', String(seconds + 30), 'wrk', '-t1', `-c${CONNECTIONS}`, `-d${seconds}s`, '-s', script, url], {
    encoding: 'utf8',
  });
  const line = out.split('\n').find((l) => l.startsWith('WRKJSON '));
  if (line === undefined) throw new Error(`wrk printed no summary:\n${out}`);
  return JSON.parse(line.slice('WRKJSON '.length)) as WrkResult;
}

function writeConfigs(upstreamPort: number): void {
  const body = '{"upstream":"nginx","bench":"tollgate metering-cost","pad":"';
  const fixed = `${body}${'x'.repeat(100 - body.length - 2)}"}`;
  mkdirSync(join(dir, 'nginx'), { recursive: true });
  writeFileSync(
    join(dir, 'nginx', 'nginx.conf'),
    `worker_processes 1;
daemon off;
pid ${dir}/nginx/nginx.pid;
error_log ${dir}/nginx/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/nginx/body;
  proxy_temp_path ${dir}/nginx/proxy;
  fastcgi_temp_path ${dir}/nginx/fastcgi;
  uwsgi_temp_path ${dir}/nginx/uwsgi;
  scgi_temp_path ${dir}/nginx/scgi;
  keepalive_timeout 300s;
  keepalive_requests 10000000;
  server {
    listen 127.0.0.1:${upstreamPort} backlog=4096;
    location / { default_type application/json; return 200 '${fixed}'; }
  }
}
`,
  );
  const url = `http://127.0.0.1:${upstreamPort}`;
  let spread = '_format_version: "3.0"\nservices:\n';
  for (let i = 0; i < ROUTES; i++) {
    spread += `  - name: svc-${i}\n    url: ${url}\n    routes:\n      - name: route-${i}\n        paths: [/route-${i}]\n        plugins:\n          - name: key-auth\n            config: { key_names: [apikey] }\n`;
  }
  spread += 'consumers:\n';
  for (let i = 0; i < ROUTES; i++) spread += `  - username: consumer-${i}\n    keyauth_credentials:\n      - key: key-${i}\n`;
  writeFileSync(join(dir, 'bare.yml'), `_format_version: "3.0"\nservices:\n  - name: bench\n    url: ${url}\n    routes:\n      - name: bench\n        paths: [/bench]\n        strip_path: false\n`);
  writeFileSync(join(dir, 'spread.yml'), spread);
  writeFileSync(join(dir, 'bare.lua'), WRK_DONE);
  writeFileSync(
    join(dir, 'spread.lua'),
    `local reqs = {}
local n = 0
init = function(args)
  for i = 0, ${ROUTES - 1} do reqs[i + 1] = wrk.format("GET", "/route-" .. i .. "/hello", { ["apikey"] = "key-" .. i }) end
end
request = function()
  n = n % ${ROUTES} + 1
  return reqs[n]
end
${WRK_DONE}`,
  );
}

type Mode = 'off' | 'on';
interface Plane {
  readonly row: string;
  readonly mode: Mode;
  readonly port: number;
  readonly child: ChildProcess;
  readonly path: string;
  readonly prefix: string;
  served: number;
}

async function startPlane(row: string, mode: Mode, pair: number): Promise<Plane> {
  const [port, status] = [await freePort(), await freePort()];
  const prefix = join(dir, `prefix-${row}-${pair}-${mode}`);
  const child = start(`${row}/${pair}/${mode}`, PROXY_CPU, process.execPath, ['-r', './tools/register.js', 'apps/data-plane/src/main.ts'], {
    TOLLGATE_USAGE: mode,
    TOLLGATE_REDIS_KEY_PREFIX: redisKeyPrefix,
    REDIS_URL: TEST_REDIS_URL,
    TOLLGATE_WORKERS: '0',
    TOLLGATE_CONTROL_PLANE: 'off',
    TOLLGATE_DECLARATIVE_CONFIG: join(dir, `${row}.yml`),
    TOLLGATE_PROXY_LISTEN: `127.0.0.1:${port}`,
    TOLLGATE_PROXY_SSL_LISTEN: 'off',
    TOLLGATE_STATUS_LISTEN: `127.0.0.1:${status}`,
    TOLLGATE_PREFIX: prefix,
    TOLLGATE_NODE_NAME: `bench-${row}-${pair}-${mode}`,
    TOLLGATE_LOG_LEVEL: 'warn',
  });
  await waitHttp(`http://127.0.0.1:${status}/status/ready`, 200, 30_000);
  const path = row === 'bare' ? '/bench/hello' : '/route-0/hello';
  const check = await fetch(`http://127.0.0.1:${port}${path}`, { headers: { apikey: 'key-0' } });
  await check.arrayBuffer();
  if (check.status !== 200) throw new Error(`${row}/${mode}: GET ${path} answered ${check.status}`);
  return { row, mode, port, child, path, prefix, served: 1 };
}

async function stopPlane(plane: Plane): Promise<void> {
  if (plane.child.exitCode === null && plane.child.signalCode === null) plane.child.kill('SIGTERM');
  await new Promise((resolve) => (plane.child.exitCode !== null || plane.child.signalCode !== null ? resolve(null) : plane.child.once('exit', resolve)));
}

interface Run {
  row: string;
  mode: Mode;
  pair: number;
  rps: number;
  p50: number;
  p99: number;
  perCpu: number;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

async function meteredByNode(): Promise<Map<string, number>> {
  const queue = new Queue(USAGE_QUEUE, { connection: { url: TEST_REDIS_URL }, prefix: usageQueuePrefix(redisKeyPrefix) });
  try {
    const byNode = new Map<string, number>();
    for (const job of await queue.getJobs(['wait'], 0, -1, true)) {
      const batch = job.data as UsageBatch;
      byNode.set(batch.node_id, (byNode.get(batch.node_id) ?? 0) + batch.rows.reduce((sum, r) => sum + r.count, 0));
    }
    return byNode;
  } finally {
    await queue.close();
  }
}

/**
 * Phase 1: the per-call work metering adds to the log phase, timed on a real connected socket:
 * the byte counters read and remembered, then UsageRecorder.record with the call's ids.
 */
async function meteringPathNs(cells: number): Promise<number> {
  const server = createNetServer((socket) => socket.on('data', () => undefined));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const socket = connectNet((server.address() as AddressInfo).port, '127.0.0.1') as Socket & { meteredRead?: number; meteredWritten?: number };
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.write('x');
  const recorder = await UsageRecorder.start({
    nodeId: 'bench',
    region: 'bench',
    redisUrl: 'redis://127.0.0.1:1',
    redisKeyPrefix,
    journalDir: join(dir, `micro-journal-${cells}`),
    maxJournalBytes: 1 << 20,
    stopTimeoutMs: 100,
    logger: pino({ level: 'silent' }),
    flushIntervalMs: 3_600_000,
  });
  const routes = Array.from({ length: cells }, (_, i) => `route-${i}-${randomBytes(8).toString('hex')}`);
  const consumers = Array.from({ length: cells }, (_, i) => `consumer-${i}-${randomBytes(8).toString('hex')}`);
  const service = randomBytes(16).toString('hex');
  const once = (i: number) => {
    const read = socket.bytesRead;
    const written = socket.bytesWritten;
    const bytesIn = read - (socket.meteredRead ?? 0);
    const bytesOut = written - (socket.meteredWritten ?? 0);
    socket.meteredRead = read;
    socket.meteredWritten = written;
    const k = i % cells;
    recorder.record(service, routes[k]!, consumers[k]!, 200, bytesIn + 80, bytesOut + 300, 0.4 + (i % 13) * 0.05, 0.2 + (i % 7) * 0.03);
  };
  const N = 2_000_000;
  for (let i = 0; i < N; i++) once(i); // warm-up: JIT
  const samples: number[] = [];
  for (let round = 0; round < 5; round++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < N; i++) once(i);
    samples.push(Number(process.hrtime.bigint() - t0) / N);
  }
  socket.destroy();
  server.close();
  await recorder.stop().catch(() => undefined);
  return median(samples);
}

async function main(): Promise<number> {
  if (cpus().length < 2) throw new Error('needs 2 cores: load and upstream on one, the proxy on the other');
  log(`machine: ${cpus().length} cores (${cpus()[0]?.model}), Node ${process.version}, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const micro = { bare: await meteringPathNs(1), spread: await meteringPathNs(ROUTES) };
  log(`phase 1: the metering path costs ${micro.bare.toFixed(0)} ns per call with 1 usage cell, ${micro.spread.toFixed(0)} ns with ${ROUTES}`);

  const upstreamPort = await freePort();
  writeConfigs(upstreamPort);
  const nginx = execFileSync('sh', ['-c', 'command -v nginx || echo /usr/sbin/nginx'], { encoding: 'utf8' }).trim();
  start('nginx', LOAD_CPU, nginx, ['-p', join(dir, 'nginx'), '-c', join(dir, 'nginx', 'nginx.conf'), '-e', join(dir, 'nginx', 'error.log')]);
  await waitHttp(`http://127.0.0.1:${upstreamPort}/`, 200, 15_000);
  log(`phase 2: wrk -t1 -c${CONNECTIONS}; per row ${PAIRS} fresh process pairs, each process ${ROUNDS} x ${DURATION_S}s after a ${WARMUP_S}s warm-up; load+upstream on CPU ${LOAD_CPU}, data planes on CPU ${PROXY_CPU}`);

  const runs: Run[] = [];
  const metered: Plane[] = [];
  for (const row of ['bare', 'spread']) {
    for (let pair = 1; pair <= PAIRS; pair++) {
      const modes: Mode[] = pair % 2 ? ['off', 'on'] : ['on', 'off'];
      const planes: Plane[] = [];
      for (const mode of modes) planes.push(await startPlane(row, mode, pair));
      for (const plane of planes) plane.served += wrk(`http://127.0.0.1:${plane.port}${plane.path}`, WARMUP_S, join(dir, `${row}.lua`)).requests;
      for (let round = 0; round < ROUNDS; round++) {
        for (const plane of round % 2 ? [...planes].reverse() : planes) {
          const cpuBefore = cpuSeconds(plane.child.pid!);
          const result = wrk(`http://127.0.0.1:${plane.port}${plane.path}`, DURATION_S, join(dir, `${row}.lua`));
          const cpu = cpuSeconds(plane.child.pid!) - cpuBefore;
          plane.served += result.requests;
          const run: Run = { row, mode: plane.mode, pair, rps: result.requests / (result.duration_us / 1e6), p50: result.p50_us / 1000, p99: result.p99_us / 1000, perCpu: result.requests / cpu };
          runs.push(run);
          log(
            `${row.padEnd(6)} pair ${pair} metering ${plane.mode.padEnd(3)}: ${run.rps.toFixed(0).padStart(6)} req/s  p50 ${run.p50.toFixed(2)} ms  p99 ${run.p99.toFixed(2)} ms  ` +
              `proxy CPU ${((cpu / DURATION_S) * 100).toFixed(0)}%  ${run.perCpu.toFixed(0)} req/CPU-s${result.errors ? `  ${result.errors} errors` : ''}`,
          );
        }
      }
      // Graceful stop: the metered process flushes its last counts into the queue.
      for (const plane of planes) await stopPlane(plane);
      metered.push(...planes.filter((p) => p.mode === 'on'));
    }
  }

  // wrk counts the calls it saw answered; each of its runs leaves up to CONNECTIONS more in flight, answered after it stopped.
  const byNode = await meteredByNode();
  const slack = (ROUNDS + 1) * CONNECTIONS;
  let accounted = byNode.size === metered.length;
  for (const plane of metered) {
    const held = byNode.get(readFileSync(join(plane.prefix, 'node-id'), 'utf8').trim()) ?? 0;
    if (!(held >= plane.served && held <= plane.served + slack)) {
      accounted = false;
      log(`MISMATCH: a metered ${plane.row} process served ${plane.served} calls; its batches hold ${held}`);
    }
  }
  log(`usage batches in Redis: ${[...byNode.values()].reduce((a, b) => a + b, 0)} calls from ${byNode.size} metered processes; every one holds the calls it served: ${accounted ? 'yes' : 'NO'}`);
  if (!accounted) throw new Error('the metered processes did not report the calls they served');

  let met = true;
  process.stdout.write('\n| row | metering | per process: median req/s | median of processes | median req per proxy CPU-s | median p50 / p99 ms |\n|---|---|---|---:|---:|---|\n');
  const summary: string[] = [];
  for (const row of ['bare', 'spread'] as const) {
    const perProcess = (mode: Mode, metric: 'rps' | 'perCpu') =>
      Array.from({ length: PAIRS }, (_, i) => median(runs.filter((r) => r.row === row && r.mode === mode && r.pair === i + 1).map((r) => r[metric])));
    for (const mode of ['off', 'on'] as const) {
      const rs = runs.filter((r) => r.row === row && r.mode === mode);
      process.stdout.write(
        `| ${row} | ${mode} | ${perProcess(mode, 'rps').map((x) => x.toFixed(0)).join(' · ')} | ${median(perProcess(mode, 'rps')).toFixed(0)} | ` +
          `${median(perProcess(mode, 'perCpu')).toFixed(0)} | ${median(rs.map((r) => r.p50)).toFixed(2)} / ${median(rs.map((r) => r.p99)).toFixed(2)} |\n`,
      );
    }
    const off = perProcess('off', 'rps');
    const cost = 1 - median(perProcess('on', 'rps')) / median(off);
    const costCpu = 1 - median(perProcess('on', 'perCpu')) / median(perProcess('off', 'perCpu'));
    const pairCosts = perProcess('on', 'rps').map((on, i) => 1 - on / off[i]!);
    const callNs = 1e9 / median(perProcess('off', 'perCpu'));
    summary.push(
      `${row}: metering costs ${pct(cost)} of req/s (medians of ${PAIRS} processes each; per pair ${pairCosts.map(pct).join(', ')}), ${pct(costCpu)} of req per CPU-s -> ${cost < TARGET_COST ? 'HOLDS' : 'MISSED'}\n` +
        `  noise floor: the unmetered processes spread ${pct(Math.max(...off) / Math.min(...off) - 1)} (max/min); ` +
        `the metering path (${micro[row].toFixed(0)} ns) is ${pct(micro[row] / callNs)} of the ${(callNs / 1000).toFixed(1)} us of CPU an unmetered call costs`,
    );
    if (!(cost < TARGET_COST)) met = false;
  }
  process.stdout.write(`\n${summary.join('\n')}\nload average at the end: ${loadavg().map((l) => l.toFixed(2)).join(' ')}\n`);
  return met ? 0 : 1;
}

const watchdog = setTimeout(
  () => {
    log('watchdog: run took too long');
    void cleanup().finally(() => process.exit(2));
  },
  (2 * PAIRS * (2 * ROUNDS * (DURATION_S + 1) + 2 * WARMUP_S + 20) + 240) * 1000,
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
