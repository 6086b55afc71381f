// The Redis helpers are test fixtures shared with the control plane's suites.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { deleteRedisKeys, TEST_REDIS_URL, testRedisPrefix } from '@tollgate/testing';
import { USAGE_QUEUE, usageQueuePrefix, type UsageBatch } from '@tollgate/usage';
import { Queue } from 'bullmq';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunningDataPlane, UsageSink } from '../src/data-plane';
import { consumer, keyauth, plugin, route, service, snapshot } from './support/config-fixtures';
import { startEchoUpstream, type EchoUpstream } from './support/echo-upstream';
import { startTestDataPlane } from './support/test-data-plane';

interface Metered {
  service: string | null;
  route: string | null;
  consumer: string | null;
  status: number;
  bytesIn: number;
  bytesOut: number;
  totalMs: number;
  upstreamMs: number;
}

class CapturingSink implements UsageSink {
  readonly calls: Metered[] = [];
  record(service: string | null, route: string | null, consumer: string | null, status: number, bytesIn: number, bytesOut: number, totalMs: number, upstreamMs: number): void {
    this.calls.push({ service, route, consumer, status, bytesIn, bytesOut, totalMs, upstreamMs });
  }
}

interface ClientSide {
  status: number;
  /** Bytes this call put on, and took off, its connection (the client socket's counter deltas). */
  sent: number;
  received: number;
}

/** One call on `agent`'s connection; the byte counts are the socket counters' deltas across it. */
function call(url: string, agent: Agent, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<ClientSide> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: options.method ?? 'GET', headers: options.headers, agent }, (res) => {
      res.resume();
      res.on('end', () => {
        const socket = req.socket!;
        const before = (socket as unknown as { seen?: [number, number] }).seen ?? [0, 0];
        (socket as unknown as { seen?: [number, number] }).seen = [socket.bytesWritten, socket.bytesRead];
        resolve({ status: res.statusCode ?? 0, sent: socket.bytesWritten - before[0], received: socket.bytesRead - before[1] });
      });
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

describe('usage metering in the proxy', () => {
  let upstream: EchoUpstream;
  let dp: RunningDataPlane;
  const sink = new CapturingSink();
  let echo: ReturnType<typeof service>;
  let open: ReturnType<typeof route>;
  let keyed: ReturnType<typeof route>;
  const ann = consumer('ann');

  beforeAll(async () => {
    upstream = await startEchoUpstream();
    echo = service({ name: 'echo', host: '127.0.0.1', port: upstream.port });
    open = route(echo, { name: 'open', paths: ['/open'] });
    keyed = route(echo, { name: 'keyed', paths: ['/keyed'] });
    dp = await startTestDataPlane({}, { usage: sink });
    const result = await dp.applySnapshot(
      snapshot({
        services: [echo],
        routes: [open, keyed],
        consumers: [ann],
        keyauth_credentials: [keyauth(ann, 'ann-key')],
        plugins: [plugin('key-auth', {}, { route: keyed })],
      }),
    );
    expect(result).toEqual({ ok: true });
  });

  afterAll(async () => {
    await dp.close();
    await upstream.close();
  });

  it('records each call once with its ids, status, latencies and exact bytes, headers included, on a keep-alive connection', async () => {
    sink.calls.length = 0;
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const seen = [
      await call(`${dp.proxyUrl}/open/a`, agent),
      await call(`${dp.proxyUrl}/keyed/b`, agent, { headers: { apikey: 'ann-key' } }),
      await call(`${dp.proxyUrl}/keyed/c`, agent),
      await call(`${dp.proxyUrl}/open/d`, agent, { method: 'POST', body: 'y'.repeat(5000), headers: { 'content-type': 'text/plain' } }),
      await call(`${dp.proxyUrl}/nowhere`, agent),
    ];
    agent.destroy();
    expect(seen.map((s) => s.status)).toEqual([200, 200, 401, 200, 404]);
    expect(sink.calls.map((c) => [c.service, c.route, c.consumer, c.status])).toEqual([
      [echo.id, open.id, null, 200],
      [echo.id, keyed.id, ann.id, 200],
      [echo.id, keyed.id, null, 401],
      [echo.id, open.id, null, 200],
      [null, null, null, 404],
    ]);
    // Bytes in and out are what went over the connection for that call: head and body, both ways.
    expect(sink.calls.map((c) => [c.bytesIn, c.bytesOut])).toEqual(seen.map((s) => [s.sent, s.received]));
    expect(sink.calls[3]!.bytesIn).toBeGreaterThan(5000);
    // Upstream time only where an upstream answered; the gateway's answers have none.
    expect(sink.calls.map((c) => c.upstreamMs >= 0)).toEqual([true, true, false, true, false]);
    for (const c of sink.calls) expect(c.totalMs).toBeGreaterThanOrEqual(Math.max(0, c.upstreamMs));
  });

  it('meters a call whose request body was cut short by an upstream failure', async () => {
    sink.calls.length = 0;
    const agent = new Agent({ keepAlive: false });
    const seen = await call(`${dp.proxyUrl}/open/reset`, agent, { method: 'POST', body: 'z'.repeat(200_000), headers: { 'content-type': 'text/plain' } }).catch(() => null);
    expect(seen?.status ?? 502).toBe(502);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(sink.calls).toHaveLength(1);
    expect(sink.calls[0]).toMatchObject({ service: echo.id, route: open.id, status: 502 });
  });
});

describe('usage metering of a serving process (usageSlot)', () => {
  const dirs: string[] = [];
  const prefixes: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    for (const prefix of prefixes) await deleteRedisKeys(prefix);
  });

  async function metered(enabled: boolean): Promise<{ dp: RunningDataPlane; prefix: string; redisKeyPrefix: string }> {
    const prefix = mkdtempSync(join(tmpdir(), 'tollgate-metered-'));
    dirs.push(prefix);
    const redisKeyPrefix = testRedisPrefix('dp-metering');
    prefixes.push(redisKeyPrefix);
    // A flush interval far longer than the test: what reaches Redis is close()'s final flush.
    const usage = { enabled, flushIntervalMs: 3_600_000, maxJournalBytes: 1 << 20 };
    const dp = await startTestDataPlane({ prefix, redisKeyPrefix, redisUrl: TEST_REDIS_URL, region: 'eu-test', usage }, { usageSlot: 0 });
    const result = await dp.applySnapshot(snapshot({ services: [], routes: [] }));
    expect(result).toEqual({ ok: true });
    return { dp, prefix, redisKeyPrefix };
  }

  it('flushes the last counts on close, as a batch of the node id in the prefix and the region', async () => {
    const { dp, prefix, redisKeyPrefix } = await metered(true);
    const agent = new Agent({ keepAlive: false });
    for (let i = 0; i < 3; i++) expect((await call(`${dp.proxyUrl}/none`, agent)).status).toBe(404);
    await dp.close();
    const queue = new Queue(USAGE_QUEUE, { connection: { url: TEST_REDIS_URL }, prefix: usageQueuePrefix(redisKeyPrefix) });
    try {
      const jobs = await queue.getJobs(['wait'], 0, -1, true);
      expect(jobs).toHaveLength(1);
      const batch = jobs[0]!.data as UsageBatch;
      expect(batch.node_id).toBe(readFileSync(join(prefix, 'node-id'), 'utf8').trim());
      expect(batch.region).toBe('eu-test');
      expect(batch.rows).toEqual([expect.objectContaining({ route_id: null, status: 404, count: 3 })]);
      expect(jobs[0]!.id).toBe(batch.id);
    } finally {
      await queue.close();
    }
    // Sent, so nothing is left in this slot's journal.
    expect(existsSync(join(prefix, 'usage', 'worker-0'))).toBe(true);
    expect(readdirSync(join(prefix, 'usage', 'worker-0'))).toEqual([]);
  });

  it('reports its metering backlog on /status and /metrics (null when metering is off)', async () => {
    const { dp } = await metered(true);
    for (let i = 0; i < 3; i++) expect((await call(`${dp.proxyUrl}/none`, new Agent({ keepAlive: false }))).status).toBe(404);
    // Nothing flushed yet (the interval is an hour): one cell in memory, no connection opened.
    const { usage } = (await (await fetch(`${dp.statusUrl}/status`)).json()) as { usage: unknown };
    expect(usage).toEqual({ journal_batches: 0, journal_bytes: 0, batches_sent: 0, batches_dropped: 0, pending_rows: 1, redis_connected: false });
    const metrics = await (await fetch(`${dp.statusUrl}/metrics`)).text();
    expect(metrics).toMatch(/^tollgate_usage_journal_batches 0$/m);
    expect(metrics).toMatch(/^tollgate_usage_batches_dropped 0$/m);
    await dp.close();
    const off = await metered(false);
    expect(((await (await fetch(`${off.dp.statusUrl}/status`)).json()) as { usage: unknown }).usage).toBeNull();
    await off.dp.close();
  });

  it('meters nothing, and opens no journal, with TOLLGATE_USAGE=off', async () => {
    const { dp, prefix, redisKeyPrefix } = await metered(false);
    expect((await call(`${dp.proxyUrl}/none`, new Agent({ keepAlive: false }))).status).toBe(404);
    await dp.close();
    expect(existsSync(join(prefix, 'usage'))).toBe(false);
    const queue = new Queue(USAGE_QUEUE, { connection: { url: TEST_REDIS_URL }, prefix: usageQueuePrefix(redisKeyPrefix) });
    try {
      expect(await queue.getJobCounts('wait')).toEqual({ wait: 0 });
    } finally {
      await queue.close();
    }
  });
});
