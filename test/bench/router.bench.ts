/**
 * Router benchmark (issue 4): per-match latency over a realistic config, and compile time/heap.
 *
 *   npm run bench:router
 *
 *   1. Generates 10,000 routes (exact, wildcard and port hosts, prefix and regex paths, methods,
 *      a few headers and https-only routes) over 1,000 services, and 10,000 requests drawn from
 *      them plus 10% that match nothing (unknown host or path).
 *   2. Times 1,000,000 matches in batches of BATCH_SIZE with process.hrtime.bigint, in ROUNDS
 *      rounds, and prints p50/p99/p99.9/max per match for each round; ops/s and CPU time per match
 *      from an untimed loop; then 200,000 single calls, timer included. The machine's load average
 *      is printed too: on a shared 2-core box other work shows up in the tail.
 *   3. First of all (cold), compiles 100,000 routes three times and prints compile time and the
 *      heap the router retains; the 10,000-route compile is timed too.
 * Targets: p99 < 2 us per match; 100,000 routes compile in < 1 s.
 */
import type { Route, Service } from '@tollgate/config';
import { compileRouter, type RouteRequest, type Router } from '@tollgate/router';
import { cpus, loadavg } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

const ROUTES = 10_000;
const COMPILE_ROUTES = 100_000;
const SERVICES = 1_000;
const REQUESTS = 10_000;
const MISS_SHARE = 0.1;
const WARMUP_MATCHES = 300_000;
const MEASURED_MATCHES = 1_000_000;
const ROUNDS = 3;
const BATCH_SIZE = 10;
const SINGLE_CALLS = 200_000;
const P99_TARGET_US = 2;
const COMPILE_TARGET_MS = 1000;

const RESOURCES = ['users', 'orders', 'payments', 'invoices', 'products', 'carts', 'sessions', 'tokens', 'accounts', 'reports', 'search', 'files'];

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Mulberry32: the same routes and requests on every run. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function uuid(kind: number, n: number): string {
  return `${kind.toString(16).padStart(8, '0')}-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
}

function generateServices(count: number): Map<string, Service> {
  const services = new Map<string, Service>();
  for (let i = 0; i < count; i++) {
    const id = uuid(1, i);
    services.set(id, {
      id,
      created_at: 1_700_000_000,
      updated_at: 1_700_000_000,
      tags: null,
      name: `svc-${i}`,
      retries: 5,
      protocol: 'http',
      host: `backend-${i}.internal`,
      port: 8080,
      path: i % 3 === 0 ? null : i % 3 === 1 ? `/svc${i}` : `/svc${i}/`,
      connect_timeout: 60000,
      write_timeout: 60000,
      read_timeout: 60000,
      client_certificate: null,
      tls_verify: null,
      tls_verify_depth: null,
      ca_certificates: null,
      enabled: i % 97 !== 0,
      regions: [],
    });
  }
  return services;
}

/**
 * About half the routes have hosts (mostly exact, some `*.tenant`, `static.*` and `host:port`),
 * paths are `/<team>/<resource>/v<n>`, 10% regex, 30% with methods, 3% with a header.
 */
function generateRoutes(count: number, serviceIds: readonly string[], seed: number): Route[] {
  const rand = random(seed);
  const hostCount = Math.max(50, Math.floor(count / 30));
  const teams = Math.max(100, Math.floor(count / 8));
  const routes: Route[] = [];
  for (let i = 0; i < count; i++) {
    const h = Math.floor(rand() * hostCount);
    const roll = rand();
    const hosts =
      roll < 0.4 ? [`api${h}.example.com`]
      : roll < 0.45 ? [`*.tenant${h}.example.net`]
      : roll < 0.47 ? [`static${h}.*`]
      : roll < 0.49 ? [`admin${h}.example.com:8443`]
      : null;
    const team = `team${Math.floor(rand() * teams)}`;
    const resource = RESOURCES[Math.floor(rand() * RESOURCES.length)]!;
    const version = 1 + Math.floor(rand() * 3);
    const paths = rand() < 0.1 ? [`~/${team}/${resource}/v${version}/(?<id>\\d+)$`] : [`/${team}/${resource}/v${version}`];
    const methodRoll = rand();
    routes.push({
      id: uuid(2, i),
      created_at: 1_700_000_000 + i,
      updated_at: 1_700_000_000 + i,
      tags: null,
      name: `route-${i}`,
      protocols: rand() < 0.05 ? ['https'] : ['http', 'https'],
      methods: methodRoll < 0.2 ? ['GET'] : methodRoll < 0.3 ? ['POST', 'PUT'] : null,
      hosts,
      paths,
      headers: rand() < 0.03 ? { 'x-api-version': ['2', '3'] } : null,
      snis: null,
      https_redirect_status_code: 426,
      regex_priority: Math.floor(rand() * 3),
      strip_path: rand() < 0.7,
      path_handling: 'v0',
      preserve_host: false,
      request_buffering: true,
      response_buffering: true,
      service: { id: serviceIds[Math.floor(rand() * serviceIds.length)]! },
      regions: [],
    });
  }
  return routes;
}

/** A request aimed at one route: its host (wildcards filled in), a path under it, its method. */
function requestFor(route: Route, rand: () => number): RouteRequest {
  const host = route.hosts?.[0];
  let hostHeader = 'gateway.example.com';
  let port = 8000;
  if (host !== undefined) {
    const [name, hostPort] = host.split(':');
    hostHeader = name!.replace(/^\*/, `t${Math.floor(rand() * 100)}`).replace(/\*$/, 'example.org');
    if (hostPort !== undefined) port = Number(hostPort);
    if (rand() < 0.2) hostHeader = hostHeader.toUpperCase();
    if (rand() < 0.3) hostHeader += `:${port}`;
  }
  const path = route.paths![0]!;
  const id = Math.floor(rand() * 100_000);
  let requestPath = path.startsWith('~') ? path.slice(1).replace('(?<id>\\d+)$', String(id)) : `${path}/${id}/details`;
  if (rand() < 0.02) requestPath = requestPath.replace('/v', '/%76');
  const method = route.methods?.[0] ?? (rand() < 0.8 ? 'GET' : 'POST');
  const headers: Record<string, string> = { 'user-agent': 'bench/1.0', accept: 'application/json' };
  if (route.headers !== null) headers['x-api-version'] = '2';
  return { method, host: hostHeader, path: requestPath, headers, protocol: rand() < 0.5 ? 'https' : 'http', port };
}

function generateRequests(routes: readonly Route[], count: number, seed: number): RouteRequest[] {
  const rand = random(seed);
  const requests: RouteRequest[] = [];
  for (let i = 0; i < count; i++) {
    const req = requestFor(routes[Math.floor(rand() * routes.length)]!, rand);
    if (rand() < MISS_SHARE) {
      requests.push(rand() < 0.5 ? { ...req, path: `/nowhere/${i}` } : { ...req, host: `unknown${i}.example.io`, path: `/nowhere${req.path}` });
    } else {
      requests.push(req);
    }
  }
  return requests;
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

const us = (ns: number): string => (ns / 1000).toFixed(3);
const log = (line: string): void => void process.stdout.write(line + '\n');

/** Keeps the optimiser from dropping matches whose result nobody reads. */
let sink = 0;

function runMatches(router: Router, requests: readonly RouteRequest[], count: number): void {
  for (let i = 0; i < count; i++) if (router.match(requests[i % requests.length]!) !== null) sink++;
}

function measureBatches(router: Router, requests: readonly RouteRequest[]): { perMatch: Float64Array; totalNs: number } {
  const batches = MEASURED_MATCHES / BATCH_SIZE;
  const perMatch = new Float64Array(batches);
  let next = 0;
  let totalNs = 0;
  for (let b = 0; b < batches; b++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < BATCH_SIZE; i++) {
      if (router.match(requests[next]!) !== null) sink++;
      next = next + 1 === requests.length ? 0 : next + 1;
    }
    const elapsed = Number(process.hrtime.bigint() - start);
    perMatch[b] = elapsed / BATCH_SIZE;
    totalNs += elapsed;
  }
  return { perMatch: perMatch.sort(), totalNs };
}

function measureSingleCalls(router: Router, requests: readonly RouteRequest[]): { perCall: Float64Array; timerNs: number } {
  const timer = new Float64Array(SINGLE_CALLS);
  for (let i = 0; i < SINGLE_CALLS; i++) {
    const start = process.hrtime.bigint();
    timer[i] = Number(process.hrtime.bigint() - start);
  }
  const perCall = new Float64Array(SINGLE_CALLS);
  for (let i = 0; i < SINGLE_CALLS; i++) {
    const req = requests[i % requests.length]!;
    const start = process.hrtime.bigint();
    const match = router.match(req);
    perCall[i] = Number(process.hrtime.bigint() - start);
    if (match !== null) sink++;
  }
  return { perCall: perCall.sort(), timerNs: percentile(timer.sort(), 50) };
}

/** JS heap plus array buffers: the router's packed tries live in the latter. */
function retainedBytes(): number {
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
}

/** Holds the router being measured so the heap figure counts it. */
let retained: Router | null = null;

interface CompileFigures {
  readonly ms: number;
  readonly heapMb: number;
  readonly size: number;
}

function measureCompile(routes: readonly Route[], services: ReadonlyMap<string, Service>): CompileFigures {
  gc();
  const before = retainedBytes();
  const start = process.hrtime.bigint();
  retained = compileRouter(routes, services);
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  gc();
  const heapMb = (retainedBytes() - before) / 1024 / 1024;
  const size = retained.size;
  retained = null;
  return { ms, heapMb, size };
}

/** Cold: the process's first compile, before anything else warms the JIT. */
function measureBigCompiles(): { first: CompileFigures; bestMs: number; runs: number } {
  const services = generateServices(SERVICES * 10);
  const routes = generateRoutes(COMPILE_ROUTES, [...services.keys()], 4242);
  const runs = [measureCompile(routes, services), measureCompile(routes, services), measureCompile(routes, services)];
  return { first: runs[0]!, bestMs: Math.min(...runs.map((c) => c.ms)), runs: runs.length };
}

function main(): void {
  const big = measureBigCompiles();
  const services = generateServices(SERVICES);
  const serviceIds = [...services.keys()];
  const routes = generateRoutes(ROUTES, serviceIds, 42);
  const requests = generateRequests(routes, REQUESTS, 7);

  const compileSmall = measureCompile(routes, services);
  const router = compileRouter(routes, services);
  let matched = 0;
  let expected = 0;
  for (const req of requests) {
    const match = router.match(req);
    if (match !== null) matched++;
    if (!req.path.startsWith('/nowhere')) expected++;
  }
  log(`routes: ${ROUTES} (router size ${router.size}, rejected ${router.rejected.length}); requests: ${REQUESTS}, matched ${matched}, aimed at a route ${expected}`);

  const loadBefore = loadavg()[0]!;
  runMatches(router, requests, WARMUP_MATCHES);
  const cpuStart = process.cpuUsage();
  const loopStart = process.hrtime.bigint();
  runMatches(router, requests, MEASURED_MATCHES);
  const loopNs = Number(process.hrtime.bigint() - loopStart);
  const cpu = process.cpuUsage(cpuStart);
  const rounds = Array.from({ length: ROUNDS }, () => measureBatches(router, requests));
  const { perCall, timerNs } = measureSingleCalls(router, requests);
  const loadAfter = loadavg()[0]!;

  const p99s = rounds.map(({ perMatch }) => percentile(perMatch, 99) / 1000).sort((a, b) => a - b);
  const medianP99 = p99s[Math.floor(p99s.length / 2)]!;
  const opsPerSecond = MEASURED_MATCHES / (loopNs / 1e9);
  const cpuNsPerMatch = ((cpu.user + cpu.system) * 1000) / MEASURED_MATCHES;
  const cores = cpus();
  log('');
  log(`Command: npm run bench:router (node -r ./tools/register.js test/bench/router.bench.ts)`);
  log(`Machine: ${cores.length} cores (${cores[0]?.model.trim() ?? 'unknown cpu'}), Node ${process.version}, ${new Date().toISOString().slice(0, 10)}; ` +
      `1-minute load average ${loadBefore.toFixed(1)} before the match runs, ${loadAfter.toFixed(1)} after`);
  log('');
  log(`Per match, ${ROUTES.toLocaleString('en')} routes, batches of ${BATCH_SIZE}, ${MEASURED_MATCHES.toLocaleString('en')} matches per round (µs):`);
  log('');
  log('| Round | p50 | p99 | p99.9 | max | mean |');
  log('|---|---:|---:|---:|---:|---:|');
  rounds.forEach(({ perMatch, totalNs }, i) => {
    log(`| ${i + 1} | ${us(percentile(perMatch, 50))} | ${us(percentile(perMatch, 99))} | ${us(percentile(perMatch, 99.9))} | ${us(perMatch[perMatch.length - 1]!)} | ${us(totalNs / MEASURED_MATCHES)} |`);
  });
  log(`| single calls (timer included; timer alone ${us(timerNs)}) | ${us(percentile(perCall, 50))} | ${us(percentile(perCall, 99))} | ${us(percentile(perCall, 99.9))} | ${us(perCall[perCall.length - 1]!)} | |`);
  log('');
  log(`Throughput: ${Math.round(opsPerSecond).toLocaleString('en')} matches/s on one core (untimed loop of ${MEASURED_MATCHES.toLocaleString('en')}), ` +
      `${cpuNsPerMatch.toFixed(0)} ns of CPU time per match.`);
  log('');
  log('| Compile | time (ms) | heap + array buffers retained (MB) |');
  log('|---|---:|---:|');
  log(`| ${ROUTES.toLocaleString('en')} routes | ${compileSmall.ms.toFixed(0)} | ${compileSmall.heapMb.toFixed(1)} |`);
  log(`| ${COMPILE_ROUTES.toLocaleString('en')} routes, first compile in the process | ${big.first.ms.toFixed(0)} | ${big.first.heapMb.toFixed(1)} |`);
  log(`| ${COMPILE_ROUTES.toLocaleString('en')} routes, best of ${big.runs} | ${big.bestMs.toFixed(0)} | |`);
  log('');
  log(`Targets: p99 < ${P99_TARGET_US} µs: ${medianP99 < P99_TARGET_US ? 'met' : 'NOT met'} (median round ${medianP99.toFixed(3)} µs); ` +
      `compile ${COMPILE_ROUTES.toLocaleString('en')} routes < ${COMPILE_TARGET_MS} ms: ${big.first.ms < COMPILE_TARGET_MS ? 'met' : 'NOT met'} (first compile ${big.first.ms.toFixed(0)} ms).`);
  if (sink < 0) log('unreachable');
}

main();
