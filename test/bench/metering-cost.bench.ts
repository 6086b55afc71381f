/**
 * What metering costs the proxy (issue 5): the same data plane with TOLLGATE_USAGE on and off,
 * side by side, under wrk. Target: metering on costs under 5% of the throughput.
 *
 *   npm run bench:metering   (= node -r ./tools/register.js test/bench/metering-cost.bench.ts)
 *
 * Layout on this 2-core machine: wrk and an nginx upstream (`return 200`, 100-byte body) share
 * CPU 0; the data planes (one process each, TOLLGATE_WORKERS=0, all started at once) are pinned
 * to CPU 1, and only the one being measured gets traffic. Rows: `bare` (one route, no plugins:
 * the cheapest call, so metering's largest share) and `spread` (100 routes with key-auth, 100
 * consumers, wrk cycling through them: 100 usage cells per minute instead of one). Each row has
 * three planes: `off`, `on`, and `off-b`, a second unmetered process: the A/A control that shows
 * how far two identical processes differ here (the noise floor). A round runs the three for
 * DURATION_S each, back to back, in a rotating order; a round's cost is 1 - on/off of that round
 * (drift of a shared machine cancels within a round), and the verdict is the median over rounds.
 * Also reported: req per CPU-second of the plane (from /proc). The metered planes' batches are
 * read back from Redis at the end: they must hold every call the plane served.
 *
 * Environment: ROUNDS (6), DURATION_S (5), WARMUP_S (5), CONNECTIONS (50).
 * Exit: 0 target met (median round cost under 5% in both rows), 1 missed, 2 the harness failed.
 */
import { deleteRedisKeys, freePort, TEST_REDIS_URL } from '@tollgate/testing';
import { USAGE_QUEUE, usageQueuePrefix, type UsageBatch } from '@tollgate/usage';
import { Queue } from 'bullmq';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

const ROUNDS = Number(process.env.ROUNDS ?? 6);
const DURATION_S = Number(process.env.DURATION_S ?? 5);
const WARMUP_S = Number(process.env.WARMUP_S ?? 5);
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

type Mode = 'off' | 'on' | 'off-b';
const MODES: readonly Mode[] = ['off', 'on', 'off-b'];
interface Plane {
  readonly row: string;
  readonly mode: Mode;
  readonly port: number;
  readonly child: ChildProcess;
  readonly path: string;
}

async function startPlane(row: string, mode: Mode, path: string): Promise<Plane> {
  const [port, status] = [await freePort(), await freePort()];
  const prefix = join(dir, `prefix-${row}-${mode}`);
  const child = start(`${row}/${mode}`, PROXY_CPU, process.execPath, ['-r', './tools/register.js', 'apps/data-plane/src/main.ts'], {
    TOLLGATE_USAGE: mode === 'on' ? 'on' : 'off',
    TOLLGATE_REDIS_KEY_PREFIX: redisKeyPrefix,
    REDIS_URL: TEST_REDIS_URL,
    TOLLGATE_WORKERS: '0',
    TOLLGATE_CONTROL_PLANE: 'off',
    TOLLGATE_DECLARATIVE_CONFIG: join(dir, `${row}.yml`),
    TOLLGATE_PROXY_LISTEN: `127.0.0.1:${port}`,
    TOLLGATE_PROXY_SSL_LISTEN: 'off',
    TOLLGATE_STATUS_LISTEN: `127.0.0.1:${status}`,
    TOLLGATE_PREFIX: prefix,
    TOLLGATE_NODE_NAME: `bench-${row}-${mode}`,
    TOLLGATE_LOG_LEVEL: 'warn',
  });
  await waitHttp(`http://127.0.0.1:${status}/status/ready`, 200, 30_000);
  return { row, mode, port, child, path };
}

interface Run {
  row: string;
  mode: Mode;
  round: number;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  cpu: number;
  perCpu: number;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

async function meteredCalls(): Promise<{ batches: number; calls: number; byNode: Map<string, number> }> {
  const queue = new Queue(USAGE_QUEUE, { connection: { url: TEST_REDIS_URL }, prefix: usageQueuePrefix(redisKeyPrefix) });
  try {
    const jobs = await queue.getJobs(['wait'], 0, -1, true);
    const byNode = new Map<string, number>();
    let calls = 0;
    for (const job of jobs) {
      const batch = job.data as UsageBatch;
      const n = batch.rows.reduce((sum, r) => sum + r.count, 0);
      calls += n;
      byNode.set(batch.node_id, (byNode.get(batch.node_id) ?? 0) + n);
    }
    return { batches: jobs.length, calls, byNode };
  } finally {
    await queue.close();
  }
}

async function main(): Promise<number> {
  if (cpus().length < 2) throw new Error('needs 2 cores: load and upstream on one, the proxy on the other');
  const upstreamPort = await freePort();
  writeConfigs(upstreamPort);
  const nginx = execFileSync('sh', ['-c', 'command -v nginx || echo /usr/sbin/nginx'], { encoding: 'utf8' }).trim();
  start('nginx', LOAD_CPU, nginx, ['-p', join(dir, 'nginx'), '-c', join(dir, 'nginx', 'nginx.conf'), '-e', join(dir, 'nginx', 'error.log')]);
  await waitHttp(`http://127.0.0.1:${upstreamPort}/`, 200, 15_000);
  log(`machine: ${cpus().length} cores (${cpus()[0]?.model}), Node ${process.version}, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  log(`plan: wrk -t1 -c${CONNECTIONS}, ${ROUNDS} rounds x ${DURATION_S}s per (row, mode) after a ${WARMUP_S}s warm-up; load+upstream on CPU ${LOAD_CPU}, data planes on CPU ${PROXY_CPU}`);

  const planes: Plane[] = [];
  for (const row of ['bare', 'spread']) {
    for (const mode of MODES) planes.push(await startPlane(row, mode, row === 'bare' ? '/bench/hello' : '/route-0/hello'));
  }
  for (const plane of planes) {
    const check = await fetch(`http://127.0.0.1:${plane.port}${plane.path}`, { headers: { apikey: 'key-0' } });
    await check.arrayBuffer();
    if (check.status !== 200) throw new Error(`${plane.row}/${plane.mode}: GET ${plane.path} answered ${check.status}`);
  }
  const served = new Map<Plane, number>(planes.map((p) => [p, 1]));
  for (const plane of planes) served.set(plane, served.get(plane)! + wrk(`http://127.0.0.1:${plane.port}${plane.path}`, WARMUP_S, join(dir, `${plane.row}.lua`)).requests);

  const runs: Run[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    for (const row of ['bare', 'spread']) {
      const order = MODES.map((_, i) => MODES[(i + round) % MODES.length]!);
      for (const mode of order) {
        const plane = planes.find((p) => p.row === row && p.mode === mode)!;
        const cpuBefore = cpuSeconds(plane.child.pid!);
        const result = wrk(`http://127.0.0.1:${plane.port}${plane.path}`, DURATION_S, join(dir, `${row}.lua`));
        const cpu = cpuSeconds(plane.child.pid!) - cpuBefore;
        served.set(plane, served.get(plane)! + result.requests);
        const rps = result.requests / (result.duration_us / 1e6);
        const run = { row, mode, round, rps, p50: result.p50_us / 1000, p99: result.p99_us / 1000, errors: result.errors, cpu, perCpu: result.requests / cpu };
        runs.push(run);
        log(`round ${round} ${row.padEnd(6)} metering ${mode.padEnd(3)}: ${rps.toFixed(0).padStart(6)} req/s  p50 ${run.p50.toFixed(2)} ms  p99 ${run.p99.toFixed(2)} ms  proxy CPU ${((cpu / DURATION_S) * 100).toFixed(0)}%  ${run.perCpu.toFixed(0)} req/CPU-s${result.errors ? `  ${result.errors} errors` : ''}`);
      }
    }
  }

  // Stop the planes gracefully: the metered ones flush their last counts into the queue.
  for (const plane of planes) plane.child.kill('SIGTERM');
  await Promise.all(planes.map((p) => new Promise((resolve) => (p.child.exitCode !== null ? resolve(null) : p.child.once('exit', resolve)))));
  const metered = await meteredCalls();
  // wrk counts the calls it saw answered; each of its runs leaves up to CONNECTIONS more in flight, answered after it stopped.
  const slack = (ROUNDS + 1) * CONNECTIONS;
  let accounted = metered.byNode.size === 2;
  for (const plane of planes.filter((p) => p.mode === 'on')) {
    const nodeId = readFileSync(join(dir, `prefix-${plane.row}-on`, 'node-id'), 'utf8').trim();
    const held = metered.byNode.get(nodeId) ?? 0;
    const ok = held >= served.get(plane)! && held <= served.get(plane)! + slack;
    accounted &&= ok;
    log(`${plane.row}/on: wrk saw ${served.get(plane)} calls answered; its usage batches hold ${held} (${ok ? 'OK' : 'MISMATCH'})`);
  }
  log(`usage queue: ${metered.batches} batches, ${metered.calls} calls, from ${metered.byNode.size} nodes (the 2 metered planes; the unmetered ones send nothing)`);
  if (!accounted) throw new Error('the metered planes did not report the calls they served');

  let met = true;
  process.stdout.write('\n| row | plane | req/s per round | median req/s | median p50 / p99 ms | median req per proxy CPU-s |\n|---|---|---|---:|---|---:|\n');
  const summary: string[] = [];
  for (const row of ['bare', 'spread']) {
    const of = (mode: Mode) => runs.filter((r) => r.row === row && r.mode === mode).sort((a, b) => a.round - b.round);
    for (const mode of MODES) {
      const rs = of(mode);
      process.stdout.write(
        `| ${row} | ${mode} | ${rs.map((r) => r.rps.toFixed(0)).join(' · ')} | ${median(rs.map((r) => r.rps)).toFixed(0)} | ${median(rs.map((r) => r.p50)).toFixed(2)} / ${median(rs.map((r) => r.p99)).toFixed(2)} | ${median(rs.map((r) => r.perCpu)).toFixed(0)} |\n`,
      );
    }
    const paired = (mode: Mode, metric: 'rps' | 'perCpu') => of(mode).map((r, i) => 1 - r[metric] / of('off')[i]![metric]);
    const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
    const cost = median(paired('on', 'rps'));
    const control = median(paired('off-b', 'rps'));
    summary.push(
      `${row}: metering costs ${pct(cost)} (median of rounds; per round ${paired('on', 'rps').map(pct).join(', ')}), ` +
        `${pct(median(paired('on', 'perCpu')))} per CPU-s; A/A control off-b vs off: ${pct(control)} (per round ${paired('off-b', 'rps').map(pct).join(', ')}) -> ${cost < TARGET_COST ? 'HOLDS' : 'MISSED'}`,
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
  (ROUNDS * 6 * (DURATION_S + 2) + 6 * WARMUP_S + 180) * 1000,
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
