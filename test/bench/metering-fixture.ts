import { TEST_REDIS_URL } from '@tollgate/testing';
import { USAGE_QUEUE, usageQueuePrefix, type UsageBatch } from '@tollgate/usage';
import { UsageRecorder } from '@tollgate/data-plane-usage';
import { Queue } from 'bullmq';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer as createNetServer, connect as connectNet, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import pino from 'pino';

/**
 * What the metering bench (metering-cost.bench.ts) runs against: an nginx upstream and wrk, both
 * pinned to one CPU; the declarative configs of its rows; the usage batches a metered data plane
 * left in Redis; and the metering code timed alone.
 */

/** wrk and nginx from Debian's packages, installed if missing (as the proxy bench's run.sh does). */
export function ensureTools(): void {
  const has = (command: string) => spawnSync('sh', ['-c', `command -v ${command} || test -x /usr/sbin/${command}`], { stdio: 'ignore' }).status === 0;
  const missing = ['wrk', 'nginx'].filter((tool) => !has(tool));
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) throw new Error(`needs ${missing.join(' and ')} (Debian: apt-get install ${missing.join(' ')})`);
  log(`installing ${missing.join(' ')} from Debian's packages`);
  execFileSync('timeout', ['300', 'apt-get', 'update', '-qq'], { stdio: 'ignore' });
  execFileSync('timeout', ['600', 'apt-get', 'install', '-y', '-qq', '--no-install-recommends', ...missing], {
    stdio: 'ignore',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
}

export const ROUTES = 100;
export type Row = 'bare' | 'spread';
export const ROWS: readonly Row[] = ['bare', 'spread'];
/** The path each row's first check request asks for (with apikey key-0). */
export const CHECK_PATH: Readonly<Record<Row, string>> = { bare: '/bench/hello', spread: '/route-0/hello' };

export function log(message: string): void {
  process.stdout.write(`[${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

export const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
export const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
export const pct = (x: number): string => (Number.isNaN(x) ? '-' : `${(x * 100).toFixed(1)}%`);
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function waitHttp(url: string, want: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await fetch(url, { signal: AbortSignal.timeout(1000) }).then(
      async (r) => (await r.arrayBuffer(), r.status),
      () => 0,
    );
    if (status === want) return;
    if (Date.now() > deadline) throw new Error(`${url} did not answer ${want} (last ${status})`);
    await sleep(100);
  }
}

/** Per CPU (cpu0, cpu1, ...): [busy, total] in clock ticks (1/100 s) from /proc/stat; steal counts as busy. */
export function cpuTicks(): [number, number][] {
  return readFileSync('/proc/stat', 'utf8')
    .split('\n')
    .filter((line) => /^cpu\d+ /.test(line))
    .map((line) => {
      const [user, nice, system, idle, iowait, irq, softirq, steal] = line.split(/\s+/).slice(1, 9).map(Number) as number[];
      const busy = user! + nice! + system! + irq! + softirq! + steal!;
      return [busy, busy + idle! + iowait!];
    });
}

/** A wrk process loading one URL until ended; paused and resumed with SIGSTOP / SIGCONT. */
export interface WrkLoad {
  pause(): void;
  resume(): void;
  /** CPU wrk has used so far (user + system), µs. */
  cpuUs(): number;
  /** Kills wrk and waits for it to be gone. */
  end(): Promise<void>;
}

/**
 * Starts `wrk -t1` against `url` on `cpu` for at most `seconds` (its `timeout` parent kills it
 * then, resumed first, should this process die without ending it), paused.
 */
export async function startWrkLoad(cpu: string, url: string, script: string, connections: number, seconds: number, children: Set<ChildProcess>): Promise<WrkLoad> {
  const args = ['-c', cpu, 'timeout', String(seconds), 'wrk', '-t1', `-c${connections}`, `-d${seconds}s`, '-s', script, url];
  const child = spawn('taskset', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  children.add(child);
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-2000)));
  const exited = new Promise<void>((resolve) => child.once('close', () => (children.delete(child), resolve())));
  let wrk = 0;
  for (let tries = 0; wrk === 0; tries++) {
    // taskset execs timeout (the child); wrk is timeout's child.
    const found = Number(spawnSync('pgrep', ['-P', String(child.pid)], { encoding: 'utf8' }).stdout.trim().split('\n')[0]);
    if (found > 0) wrk = found;
    else if (tries > 100 || child.exitCode !== null) throw new Error(`wrk did not start: ${stderr}`);
    else await sleep(10);
  }
  const signal = (name: NodeJS.Signals) => {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`wrk exited early: ${stderr}`);
    process.kill(wrk, name);
  };
  signal('SIGSTOP');
  return {
    pause: () => signal('SIGSTOP'),
    resume: () => signal('SIGCONT'),
    cpuUs: () => processCpuUs(wrk),
    end: async () => {
      try {
        process.kill(wrk, 'SIGKILL'); // a stopped process dies of it too
      } catch {
        // already gone
      }
      await exited;
    },
  };
}

/** The nginx upstream (`return 200`, a 100-byte JSON body), the rows' declarative configs and wrk scripts. */
export function writeBenchFiles(dir: string, upstreamPort: number): void {
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
  writeFileSync(join(dir, 'bare.lua'), '-- the same request every time\n');
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
`,
  );
}

/** CPU a process has used (user + system) in µs, from /proc (clock ticks: 10 ms resolution). */
export function processCpuUs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 1e4;
}

/**
 * Starts the nginx upstream on `cpu` (config from writeBenchFiles), waits until it answers, and
 * returns a reader of the CPU its worker has used (µs).
 */
export async function startUpstream(dir: string, cpu: string, port: number, children: Set<ChildProcess>): Promise<() => number> {
  const nginx = execFileSync('sh', ['-c', 'command -v nginx || echo /usr/sbin/nginx'], { encoding: 'utf8' }).trim();
  const child = spawn('taskset', ['-c', cpu, nginx, '-p', join(dir, 'nginx'), '-c', join(dir, 'nginx', 'nginx.conf'), '-e', join(dir, 'nginx', 'error.log')], {
    stdio: 'ignore',
  });
  children.add(child);
  child.once('error', () => undefined);
  await waitHttp(`http://127.0.0.1:${port}/`, 200, 15_000);
  // taskset execs nginx, so the child is the master; with worker_processes 1 it has one child.
  const worker = Number(execFileSync('pgrep', ['-P', String(child.pid)], { encoding: 'utf8' }).trim());
  if (!(worker > 0)) throw new Error('nginx: no worker process found');
  return () => processCpuUs(worker);
}

/** Calls counted in the usage batches waiting in the queue under this Redis key prefix. */
export async function meteredCalls(redisKeyPrefix: string): Promise<number> {
  const queue = new Queue(USAGE_QUEUE, { connection: { url: TEST_REDIS_URL }, prefix: usageQueuePrefix(redisKeyPrefix) });
  try {
    let calls = 0;
    for (const job of await queue.getJobs(['wait'], 0, -1, true)) calls += (job.data as UsageBatch).rows.reduce((sum, r) => sum + r.count, 0);
    return calls;
  } finally {
    await queue.close();
  }
}

/**
 * The per-call work metering adds to the log phase, in ns, timed in a loop on a real connected
 * socket: the byte counters read and remembered (in a WeakMap, as the proxy keeps them), then
 * UsageRecorder.record with the call's ids.
 */
export async function meteringPathNs(cells: number, dir: string, redisKeyPrefix: string): Promise<number> {
  const server = createNetServer((socket) => socket.on('data', () => undefined));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const socket: Socket = connectNet((server.address() as AddressInfo).port, '127.0.0.1');
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
  const byteMarks = new WeakMap<Socket, { read: number; written: number }>();
  const once = (i: number) => {
    const read = socket.bytesRead;
    const written = socket.bytesWritten;
    let marks = byteMarks.get(socket);
    if (marks === undefined) byteMarks.set(socket, (marks = { read: 0, written: 0 }));
    const bytesIn = read - marks.read;
    const bytesOut = written - marks.written;
    marks.read = read;
    marks.written = written;
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
