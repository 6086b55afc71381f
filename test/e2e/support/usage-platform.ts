/**
 * The usage e2e suites' platform: a control plane and data planes as real processes (mutual TLS,
 * a Postgres schema and a Redis key prefix of the suite's own), an upstream whose answers the
 * traffic picks, the traffic itself tallied per analytics group on the client side, and the check
 * that GET /analytics/usage reports exactly that tally.
 */
import { generateSharedClusterCertificate } from '@tollgate/protocol';
import {
  adminClient,
  createTestSchema,
  deleteRedisKeys,
  freePort,
  startPlatformProcess,
  TEST_DATABASE_URL,
  TEST_REDIS_URL,
  testRedisPrefix,
  waitFor,
  type AdminClient,
  type PlatformProcess,
  type TestSchema,
} from '@tollgate/testing';
import { statusClass } from '@tollgate/usage';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Data planes flush every second, so a test waits seconds, not the default five, for its usage. */
export const FLUSH_INTERVAL_S = 1;
/** Control-plane usage-job lock: a batch held by a killed control plane is taken over after about twice this. */
const LOCK_DURATION_S = 2;

/** One kind of call in the traffic mix, and the analytics group it belongs to. */
export interface CallKind {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly apikey?: string;
  readonly body?: string;
  readonly status: number;
  readonly service: string | null;
  readonly route: string | null;
  readonly consumer: string | null;
}

/**
 * 200s, a 401 (key-auth without a key), a gateway 404 (no route), upstream 503s, with and without
 * consumers, on two services and three routes. Bodies only where the upstream reads them, so the
 * client's socket counters are exactly what the gateway reads and writes.
 */
export const CALL_MIX: readonly CallKind[] = [
  { method: 'GET', path: '/items/ok', status: 200, service: 'catalog', route: 'catalog-items', consumer: null },
  { method: 'POST', path: '/items/ok', body: 'x'.repeat(300), status: 200, service: 'catalog', route: 'catalog-items', consumer: null },
  { method: 'GET', path: '/search/boom', status: 503, service: 'catalog', route: 'catalog-search', consumer: null },
  { method: 'GET', path: '/invoices/ok', apikey: 'alice-key', status: 200, service: 'billing', route: 'billing-invoices', consumer: 'alice' },
  { method: 'GET', path: '/invoices/ok?page=2', apikey: 'bob-key', status: 200, service: 'billing', route: 'billing-invoices', consumer: 'bob' },
  { method: 'GET', path: '/invoices/boom', apikey: 'bob-key', status: 503, service: 'billing', route: 'billing-invoices', consumer: 'bob' },
  { method: 'GET', path: '/invoices/ok', status: 401, service: 'billing', route: 'billing-invoices', consumer: null },
  { method: 'GET', path: '/nowhere', status: 404, service: null, route: null, consumer: null },
];

export const GROUP_BY = 'service,route,consumer,region,node,status_class';

interface Counts {
  requests: number;
  bytes_in: number;
  bytes_out: number;
}

/** What the clients saw answered, per analytics group: the figures the analytics API must report. */
export class Tally {
  readonly groups = new Map<string, Counts>();
  readonly total: Counts = { requests: 0, bytes_in: 0, bytes_out: 0 };

  static key(service: string | null, route: string | null, consumer: string | null, region: string, node: string, statusClass: string): string {
    return [service, route, consumer, region, node, statusClass].map(String).join(' | ');
  }

  add(key: string, bytesIn: number, bytesOut: number): void {
    const counts = this.groups.get(key) ?? { requests: 0, bytes_in: 0, bytes_out: 0 };
    this.groups.set(key, counts);
    for (const c of [counts, this.total]) {
      c.requests++;
      c.bytes_in += bytesIn;
      c.bytes_out += bytesOut;
    }
  }
}

interface Answer {
  readonly status: number;
  /** A data plane that is still starting (listening, its config not applied yet) answers 503 itself. */
  readonly notReady: boolean;
  /** The client's socket counters: what the gateway read from and wrote to this connection. */
  readonly sent: number;
  readonly received: number;
}

/** One call on a connection of its own; null when it got no complete answer (refused, reset). */
function call(port: number, kind: CallKind): Promise<Answer | null> {
  return new Promise((resolve) => {
    const headers: Record<string, string> = {};
    if (kind.apikey !== undefined) headers.apikey = kind.apikey;
    if (kind.body !== undefined) headers['content-length'] = String(Buffer.byteLength(kind.body));
    const req = request({ host: '127.0.0.1', port, method: kind.method, path: kind.path, headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          notReady: res.statusCode === 503 && body.includes('no configuration loaded yet'),
          sent: req.socket!.bytesWritten,
          received: req.socket!.bytesRead,
        }),
      );
      res.on('error', () => resolve(null));
      res.on('aborted', () => resolve(null));
    });
    req.on('error', () => resolve(null));
    req.setTimeout(10_000, () => req.destroy());
    req.end(kind.body);
  });
}

async function httpStatus(url: string): Promise<number> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0;
  }
}

/** A data plane process: a node id of its own (kept in its prefix across restarts) in one region. */
export class DataPlaneUnderTest {
  process: PlatformProcess | null = null;
  nodeId = '';

  constructor(
    private readonly platform: UsagePlatform,
    readonly name: string,
    readonly region: string,
    readonly workers: number,
    readonly proxyPort: number,
    readonly statusPort: number,
    readonly prefix: string,
  ) {}

  /** Starts the process and waits until it serves a config (its status port says ready: no proxied probe, which would be metered). */
  async start(): Promise<void> {
    const p = this.platform;
    this.process = startPlatformProcess('data-plane', {
      ...p.clusterEnv,
      REDIS_URL: p.redisUrl,
      TOLLGATE_CONTROL_PLANE: `127.0.0.1:${p.clusterPort}`,
      TOLLGATE_NODE_NAME: this.name,
      TOLLGATE_REGION: this.region,
      TOLLGATE_PROXY_LISTEN: `127.0.0.1:${this.proxyPort}`,
      TOLLGATE_PROXY_SSL_LISTEN: 'off',
      TOLLGATE_STATUS_LISTEN: `127.0.0.1:${this.statusPort}`,
      TOLLGATE_PREFIX: this.prefix,
      TOLLGATE_WORKERS: String(this.workers),
      TOLLGATE_USAGE_FLUSH_INTERVAL: String(FLUSH_INTERVAL_S),
      TOLLGATE_DRAIN_TIMEOUT: '5000',
    });
    const started = this.process;
    await waitFor(`data plane ${this.name} ready`, async () => (await httpStatus(`http://127.0.0.1:${this.statusPort}/status/ready`)) === 200, 45_000).catch((err) => {
      throw new Error(`${String(err)}\n${started.output()}`);
    });
    this.nodeId = readFileSync(join(this.prefix, 'node-id'), 'utf8').trim();
  }

  /** SIGTERM drains (the primary stops its workers); SIGKILL kills the primary and its workers too. */
  async stop(signal: NodeJS.Signals): Promise<void> {
    const workers = signal === 'SIGKILL' ? this.workerPids() : [];
    await this.process?.stop(signal);
    this.process = null;
    // Workers leave on their own once the primary is gone; a test cleaning up must not race them.
    for (const pid of workers) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await waitFor('killed cluster workers gone', () => workers.every((pid) => !existsSync(`/proc/${pid}`)), 5000, 20).catch(() => undefined);
  }

  /**
   * Waits until the proxy port takes connections: a worker listens. A connection closed without a
   * request is not a call, so this meters nothing.
   */
  async waitListening(timeoutMs = 20_000): Promise<void> {
    const accepts = () =>
      new Promise<boolean>((resolve) => {
        const socket = connect(this.proxyPort, '127.0.0.1', () => {
          socket.destroy();
          resolve(true);
        });
        socket.on('error', () => resolve(false));
      });
    await waitFor(`${this.name} accepting connections`, accepts, timeoutMs, 50);
  }

  /** Pids of the node:cluster workers (children of the primary). */
  workerPids(): number[] {
    const pid = this.process?.child.pid;
    if (pid === undefined) return [];
    try {
      return execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
    } catch {
      return [];
    }
  }

  /** Usage batches waiting in this node's journals (what Redis has not taken yet). */
  journaledBatches(): number {
    let batches = 0;
    for (let slot = 0; slot < Math.max(1, this.workers); slot++) {
      const dir = join(this.prefix, 'usage', `worker-${slot}`);
      if (existsSync(dir)) batches += readdirSync(dir).filter((n) => n.endsWith('.batch')).length;
    }
    return batches;
  }
}

export interface UsagePlatformOptions {
  /** Redis of the control plane and data planes; default the test Redis. */
  readonly redisUrl?: string;
  /** More environment for both planes (TOLLGATE_REDIS_CLUSTER, TOLLGATE_REDIS_SENTINELS...). */
  readonly env?: Record<string, string>;
}

/** One suite's platform; `dispose` ends every process and removes the schema, keys and files. */
export class UsagePlatform {
  readonly dataPlanes: DataPlaneUnderTest[] = [];
  readonly tally = new Tally();
  controlPlane: PlatformProcess | null = null;
  readonly admin: AdminClient;
  readonly clusterEnv: Record<string, string>;
  /** Answered calls whose status was not the one planned (should stay empty). */
  readonly unexpected: string[] = [];
  /** Calls that got no answer (refused while a data plane was down): not metered, not tallied. */
  unanswered = 0;
  /** Calls a starting data plane answered 503 before it had its config (tallied under no route). */
  notReady = 0;
  /** Epoch seconds a little before the first call: the analytics range starts here. */
  readonly from = Math.floor(Date.now() / 1000) - 60;
  private next = 0;

  private constructor(
    readonly dir: string,
    readonly schema: TestSchema,
    readonly redisUrl: string,
    readonly redisKeyPrefix: string,
    readonly adminPort: number,
    readonly clusterPort: number,
    private readonly upstream: Server,
    readonly upstreamPort: number,
  ) {
    this.admin = adminClient(`http://127.0.0.1:${adminPort}`);
    const cert = generateSharedClusterCertificate();
    const certFile = join(dir, 'cluster.crt');
    const keyFile = join(dir, 'cluster.key');
    writeFileSync(certFile, cert.cert);
    writeFileSync(keyFile, cert.key, { mode: 0o600 });
    this.clusterEnv = {
      TOLLGATE_CLUSTER_MTLS: 'shared',
      TOLLGATE_CLUSTER_CERT: certFile,
      TOLLGATE_CLUSTER_CERT_KEY: keyFile,
      TOLLGATE_REDIS_KEY_PREFIX: redisKeyPrefix,
    };
  }

  static async create(suite: string, options: UsagePlatformOptions = {}): Promise<UsagePlatform> {
    const dir = mkdtempSync(join(tmpdir(), `tollgate-${suite}-`));
    const schema = await createTestSchema(suite);
    // The upstream: 503 for paths ending in /boom, 200 and the request body's length otherwise.
    const upstream = createServer((req, res) => {
      let length = 0;
      req.on('data', (chunk: Buffer) => (length += chunk.length));
      req.on('end', () => {
        res.statusCode = req.url?.split('?')[0]?.endsWith('/boom') ? 503 : 200;
        res.end(`upstream read ${length} bytes`);
      });
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const upstreamPort = (upstream.address() as { port: number }).port;
    const platform = new UsagePlatform(dir, schema, options.redisUrl ?? TEST_REDIS_URL, testRedisPrefix(suite), await freePort(), await freePort(), upstream, upstreamPort);
    Object.assign(platform.clusterEnv, options.env);
    return platform;
  }

  /**
   * The usage suites' common platform: a control plane and two data planes, `dp-eu` serving in
   * its own process and `dp-us` a node:cluster of two workers, configured and started. Anything
   * started is ended again if a later step fails.
   */
  static async twoRegions(suite: string, options: UsagePlatformOptions = {}): Promise<{ platform: UsagePlatform; eu: DataPlaneUnderTest; us: DataPlaneUnderTest }> {
    const platform = await UsagePlatform.create(suite, options);
    try {
      await platform.startControlPlane();
      await platform.configure();
      const eu = await platform.addDataPlane('dp-eu', 'eu', 0);
      const us = await platform.addDataPlane('dp-us', 'us', 2);
      await Promise.all([eu.start(), us.start()]);
      return { platform, eu, us };
    } catch (error) {
      await platform.dispose();
      throw error;
    }
  }

  async startControlPlane(): Promise<void> {
    this.controlPlane = startPlatformProcess('control-plane', {
      ...this.clusterEnv,
      DATABASE_URL: TEST_DATABASE_URL,
      TOLLGATE_DATABASE_SCHEMA: this.schema.name,
      TOLLGATE_ADMIN_LISTEN: `127.0.0.1:${this.adminPort}`,
      TOLLGATE_CLUSTER_LISTEN: `127.0.0.1:${this.clusterPort}`,
      REDIS_URL: this.redisUrl,
      TOLLGATE_USAGE_LOCK_DURATION: String(LOCK_DURATION_S),
    });
    const started = this.controlPlane;
    await waitFor('control plane up', async () => (await httpStatus(`http://127.0.0.1:${this.adminPort}/status`)) === 200, 45_000).catch((err) => {
      throw new Error(`${String(err)}\n${started.output()}`);
    });
  }

  async stopControlPlane(signal: NodeJS.Signals): Promise<void> {
    await this.controlPlane?.stop(signal);
    this.controlPlane = null;
  }

  /** Two services, three routes, key-auth on one service, two consumers with keys. */
  async configure(): Promise<void> {
    const upstream = `http://127.0.0.1:${this.upstreamPort}`;
    const created = async (path: string, body: unknown) => {
      const res = await this.admin.post(path, body);
      if (res.status !== 201) throw new Error(`POST ${path}: ${res.status} ${JSON.stringify(res.body)}`);
    };
    await created('/services', { name: 'catalog', url: upstream });
    await created('/services/catalog/routes', { name: 'catalog-items', paths: ['/items'] });
    await created('/services/catalog/routes', { name: 'catalog-search', paths: ['/search'] });
    await created('/services', { name: 'billing', url: upstream });
    await created('/services/billing/routes', { name: 'billing-invoices', paths: ['/invoices'] });
    await created('/services/billing/plugins', { name: 'key-auth', config: { key_names: ['apikey'] } });
    for (const name of ['alice', 'bob']) {
      await created('/consumers', { username: name });
      await created(`/consumers/${name}/key-auth`, { key: `${name}-key` });
    }
  }

  async addDataPlane(name: string, region: string, workers: number): Promise<DataPlaneUnderTest> {
    const dp = new DataPlaneUnderTest(this, name, region, workers, await freePort(), await freePort(), join(this.dir, name));
    this.dataPlanes.push(dp);
    return dp;
  }

  /**
   * Sends `count` calls of the mix, spread over `targets`, `concurrency` at a time. Every answered
   * call is tallied under the group it must be counted in; unanswered ones are counted apart
   * (a data plane that is down meters nothing).
   */
  async send(targets: readonly DataPlaneUnderTest[], count: number, concurrency = 8): Promise<number> {
    let issued = 0;
    let answered = 0;
    const worker = async () => {
      while (issued < count) {
        issued++;
        const n = this.next++;
        const kind = CALL_MIX[n % CALL_MIX.length]!;
        const dp = targets[Math.floor(n / CALL_MIX.length) % targets.length]!;
        const answer = await call(dp.proxyPort, kind);
        if (answer === null) {
          this.unanswered++;
          continue;
        }
        answered++;
        // Served before its config was applied (a starting worker): a call, metered without a route.
        const key = answer.notReady
          ? Tally.key(null, null, null, dp.region, dp.nodeId, '5xx')
          : Tally.key(kind.service, kind.route, kind.consumer, dp.region, dp.nodeId, statusClass(answer.status));
        if (answer.notReady) this.notReady++;
        else if (answer.status !== kind.status) this.unexpected.push(`${kind.method} ${kind.path} via ${dp.name}: ${answer.status}, expected ${kind.status}`);
        this.tally.add(key, answer.sent, answer.received);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    return answered;
  }

  /**
   * Sends calls, a few at a time, until `stop` settles (at most `maxMs`): traffic running through
   * an event. Refused calls come back at once, so a round that had any pauses a little.
   */
  async sendDuring(targets: readonly DataPlaneUnderTest[], stop: Promise<unknown>, maxMs = 60_000): Promise<number> {
    let done = false;
    const finish = () => (done = true);
    stop.then(finish, finish);
    const deadline = Date.now() + maxMs;
    let answered = 0;
    while (!done && Date.now() < deadline) {
      const refusedBefore = this.unanswered;
      answered += await this.send(targets, 4, 4);
      if (this.unanswered > refusedBefore) await new Promise((resolve) => setTimeout(resolve, 25));
    }
    return answered;
  }

  /** The analytics API's rows for everything since the suite started, by every group field. */
  async analytics(): Promise<Map<string, Counts>> {
    const to = Math.floor(Date.now() / 1000) + 120;
    let path: string | null = `/analytics/usage?granularity=minute&from=${this.from}&to=${to}&group_by=${GROUP_BY}&size=1000`;
    const groups = new Map<string, Counts>();
    while (path !== null) {
      const res: { status: number; body: { data: Record<string, unknown>[]; next: string | null } } = await this.admin.get(path);
      if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${JSON.stringify(res.body)}`);
      for (const row of res.body.data) {
        const name = (field: string) => (row[field] as { name: string | null } | null)?.name ?? null;
        const key = Tally.key(name('service'), name('route'), name('consumer'), row.region as string, row.node as string, row.status_class as string);
        const counts = groups.get(key) ?? { requests: 0, bytes_in: 0, bytes_out: 0 };
        counts.requests += row.requests as number;
        counts.bytes_in += row.bytes_in as number;
        counts.bytes_out += row.bytes_out as number;
        groups.set(key, counts);
      }
      path = res.body.next;
    }
    return groups;
  }

  async analyticsTotal(): Promise<number> {
    let total = 0;
    for (const counts of (await this.analytics()).values()) total += counts.requests;
    return total;
  }

  /**
   * Waits until the analytics API has every answered call, then checks it group by group (requests
   * and bytes both ways), and again after a few more flush intervals: nothing lost, nothing twice.
   */
  async expectExactTotals(timeoutMs = 30_000): Promise<void> {
    const want = this.tally.total.requests;
    let last = -1;
    await waitFor(
      `analytics to report all ${want} calls`,
      async () => {
        last = await this.analyticsTotal();
        return last >= want;
      },
      timeoutMs,
      250,
    ).catch((err) => {
      throw new Error(`${String(err)} (last saw ${last})\n${this.diagnostics()}`);
    });
    expect(this.unexpected).toEqual([]);
    expect(Object.fromEntries(await this.analytics())).toEqual(Object.fromEntries(this.tally.groups));
    await new Promise((resolve) => setTimeout(resolve, 3 * FLUSH_INTERVAL_S * 1000));
    expect(await this.analyticsTotal()).toBe(want);
  }

  diagnostics(): string {
    const lines = [`control plane:\n${this.controlPlane?.output().slice(-3000) ?? '(down)'}`];
    for (const dp of this.dataPlanes) lines.push(`${dp.name} (journal: ${dp.journaledBatches()} batches):\n${dp.process?.output().slice(-3000) ?? '(down)'}`);
    return lines.join('\n');
  }

  async dispose(): Promise<void> {
    await this.stopControlPlane('SIGKILL');
    for (const dp of this.dataPlanes) await dp.stop('SIGKILL');
    await new Promise((resolve) => this.upstream.close(resolve));
    await this.schema.drop();
    await deleteRedisKeys(this.redisKeyPrefix, this.redisUrl).catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
