/**
 * proxy-cache on hits against the bare proxy (issue 14): one data-plane process (one worker,
 * pinned to PROXY_CPU) serving `/bare` (no plugins), `/full` (key-auth + rate-limiting, local) and
 * `/cached` (proxy-cache), an upstream and wrk on LOAD_CPU. Rounds alternate the routes; prints
 * req/s, p50/p99, the data plane's CPU time per request (its processes' utime + stime from /proc:
 * steadier than req/s on a shared machine, since it does not depend on the share of the core the
 * proxy got) and, for /cached, the hit rate (1 - upstream requests / requests answered).
 *
 *   node -r ./tools/register.js test/bench/proxy-cache.bench.ts
 *
 * BENCH_DURATION (s, default 8), BENCH_ROUNDS (3), BENCH_CONNECTIONS (50), BENCH_LOAD_CPU (0),
 * BENCH_PROXY_CPU (1); BENCH_NO_CACHE=1 leaves /cached out (to A/B a tree without proxy-cache).
 */
import { execFile, execFileSync, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const DURATION = Number(process.env.BENCH_DURATION ?? 8);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const LOAD_CPU = process.env.BENCH_LOAD_CPU ?? '0';
const PROXY_CPU = process.env.BENCH_PROXY_CPU ?? '1';
const ROOT = resolve(__dirname, '../..');
const BODY = JSON.stringify({ hello: 'world', padding: 'x'.repeat(60) });
const WITH_CACHE = process.env.BENCH_NO_CACHE !== '1';
const TICKS_PER_S = 100;

/** CPU ticks (utime + stime) of every live process in a process group. */
function groupTicks(pgid: number): number {
  let ticks = 0;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
      if (Number(fields[2]) === pgid) ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // the process ended meanwhile
    }
  }
  return ticks;
}

async function main(): Promise<void> {
  // The upstream runs in this process: keep it (and wrk) off the proxy's core.
  execFileSync('taskset', ['-pc', LOAD_CPU, String(process.pid)], { stdio: 'ignore' });
  let upstreamRequests = 0;
  const upstream = createServer((_req, res) => {
    upstreamRequests++;
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(BODY) });
    res.end(BODY);
  });
  await new Promise<void>((done) => upstream.listen(0, '127.0.0.1', done));
  const upstreamPort = (upstream.address() as AddressInfo).port;
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-cache-bench-'));
  const file = join(dir, 'kong.json');
  writeFileSync(
    file,
    JSON.stringify({
      _format_version: '3.0',
      services: [
        { name: 'bare', url: `http://127.0.0.1:${upstreamPort}`, routes: [{ name: 'bare', paths: ['/bare'] }] },
        {
          name: 'full',
          url: `http://127.0.0.1:${upstreamPort}`,
          routes: [{ name: 'full', paths: ['/full'] }],
          plugins: [{ name: 'key-auth' }, { name: 'rate-limiting', config: { second: 1e9, hour: 1e12, policy: 'local' } }],
        },
        ...(WITH_CACHE
          ? [{ name: 'cached', url: `http://127.0.0.1:${upstreamPort}`, routes: [{ name: 'cached', paths: ['/cached'] }], plugins: [{ name: 'proxy-cache', config: { strategy: 'memory' } }] }]
          : []),
      ],
      consumers: [{ username: 'bench', keyauth_credentials: [{ key: 'bench-key' }] }],
    }),
  );
  const proxyPort = 20_000 + Math.floor(Math.random() * 10_000);
  const child = spawn('taskset', ['-c', PROXY_CPU, process.execPath, '-r', './tools/register.js', 'apps/data-plane/src/main.ts'], {
    cwd: ROOT,
    stdio: 'ignore',
    detached: true,
    env: {
      ...process.env,
      TOLLGATE_WORKERS: '1',
      TOLLGATE_CONTROL_PLANE: 'off',
      TOLLGATE_DECLARATIVE_CONFIG: file,
      TOLLGATE_PROXY_LISTEN: `127.0.0.1:${proxyPort}`,
      TOLLGATE_PROXY_SSL_LISTEN: 'off',
      TOLLGATE_STATUS_LISTEN: 'off',
      TOLLGATE_PREFIX: join(dir, 'prefix'),
      TOLLGATE_LOG_LEVEL: 'silent',
      TOLLGATE_USAGE: 'off',
    },
  });
  try {
    const base = `http://127.0.0.1:${proxyPort}`;
    // Starting from TypeScript sources takes a while on a loaded machine.
    let ready = false;
    for (let i = 0; i < 600 && !ready; i++) {
      ready = await fetch(`${base}/bare/x`).then((r) => r.status === 200, () => false);
      if (!ready) await new Promise((done) => setTimeout(done, 200));
    }
    if (!ready) throw new Error('the data plane did not answer on /bare within 120 s');
    console.log(`proxy-cache bench: wrk -t1 -c${CONNECTIONS} -d${DURATION}s, ${ROUNDS} rounds, proxy on CPU ${PROXY_CPU}, load on CPU ${LOAD_CPU}; load average ${execFileSync('cat', ['/proc/loadavg']).toString().trim()}`);
    const paths = ['/bare/x', '/full/x', ...(WITH_CACHE ? ['/cached/x'] : [])];
    for (const path of paths) await wrk(base + path, 3); // warm-up
    for (let round = 1; round <= ROUNDS; round++) {
      for (const path of paths) {
        const before = upstreamRequests;
        const ticks = groupTicks(child.pid!);
        const result = await wrk(base + path, DURATION);
        const cpuUs = ((groupTicks(child.pid!) - ticks) / TICKS_PER_S / result.requests) * 1e6;
        const reached = upstreamRequests - before;
        const hitRate = path.startsWith('/cached') ? `, hit rate ${((1 - reached / result.requests) * 100).toFixed(3)}% (${reached} of ${result.requests} reached the upstream)` : '';
        console.log(`round ${round} ${path.split('/')[1]}: ${Math.round(result.rps)} req/s, p50 ${result.p50}, p99 ${result.p99}, ${cpuUs.toFixed(1)} us CPU per request${hitRate}`);
      }
    }
  } finally {
    process.kill(-child.pid!, 'SIGTERM');
    upstream.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Asynchronous: the upstream lives in this process and must keep answering while wrk runs. */
async function wrk(url: string, seconds: number): Promise<{ rps: number; requests: number; p50: string; p99: string }> {
  const { stdout: out } = await promisify(execFile)('taskset', ['-c', LOAD_CPU, 'wrk', '-t1', `-c${CONNECTIONS}`, `-d${seconds}s`, '--latency', '-H', 'apikey: bench-key', url], { encoding: 'utf8' });
  const requests = Number(/(\d+) requests in/.exec(out)?.[1] ?? 0);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? 0);
  const p50 = /50%\s+(\S+)/.exec(out)?.[1] ?? '?';
  const p99 = /99%\s+(\S+)/.exec(out)?.[1] ?? '?';
  return { rps, requests, p50, p99 };
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
