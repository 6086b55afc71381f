// The relay and Redis helpers are test fixtures shared with the control plane's suites.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { deleteRedisKeys, TcpRelay, TEST_REDIS_URL, testRedisPrefix, waitFor } from '@tollgate/testing';
import { USAGE_QUEUE, usageQueuePrefix, type UsageBatch, type UsageRow } from '@tollgate/usage';
import { Queue } from 'bullmq';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../logger';
import { UsageRecorder } from './usage-recorder';
import { UsageReporter, type UsageReporterOptions } from './usage-reporter';

const logger = createLogger('silent', {});

function row(count: number): UsageRow {
  return { minute: 1_764_201_600_000, service_id: null, route_id: null, consumer_id: null, status: 200, count, bytes_in: 0, bytes_out: 0, gateway_latency: 'AQAA', upstream_latency: 'AQAA' };
}

async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `redis://127.0.0.1:${port}`;
}

describe('UsageReporter (real Redis)', () => {
  let prefix: string;
  let dir: string;
  let queue: Queue;
  const open: { stop(timeoutMs?: number): Promise<void> }[] = [];

  const options = (overrides: Partial<UsageReporterOptions> = {}): UsageReporterOptions => ({
    nodeId: 'node-a',
    region: 'eu-west',
    redisUrl: TEST_REDIS_URL,
    redisKeyPrefix: prefix,
    journalDir: join(dir, 'journal'),
    maxJournalBytes: 1 << 20,
    logger,
    retryMs: { min: 50, max: 200 },
    connectTimeoutMs: 500,
    ...overrides,
  });

  async function reporter(overrides: Partial<UsageReporterOptions> = {}): Promise<UsageReporter> {
    const r = await UsageReporter.open(options(overrides));
    open.push({ stop: (t = 1000) => r.stop(t) });
    return r;
  }

  /** Jobs in the queue, oldest first: (job id, batch id, first row's count). */
  async function queued(): Promise<[string, string, number][]> {
    const jobs = await queue.getJobs(['wait'], 0, -1, true);
    return jobs.map((j) => [j.id!, (j.data as UsageBatch).id, (j.data as UsageBatch).rows[0]!.count]);
  }

  beforeEach(() => {
    prefix = testRedisPrefix('usage-reporter');
    dir = mkdtempSync(join(tmpdir(), 'tollgate-reporter-'));
    queue = new Queue(USAGE_QUEUE, { connection: { url: TEST_REDIS_URL }, prefix: usageQueuePrefix(prefix) });
  });

  afterEach(async () => {
    await Promise.all(open.splice(0).map((r) => r.stop()));
    await queue.close();
    await deleteRedisKeys(prefix);
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends one job per batch, its id node_id:boot_id:seq, and empties the journal', async () => {
    const r = await reporter();
    const sent = [await r.submit([row(1)]), await r.submit([row(2)])];
    await waitFor('both batches queued', async () => (await queued()).length === 2 && r.backlog().sent === 2);
    expect(sent.map((b) => b!.id)).toEqual([`node-a:${r.bootId}:1`, `node-a:${r.bootId}:2`]);
    expect(await queued()).toEqual([
      [`node-a:${r.bootId}:1`, `node-a:${r.bootId}:1`, 1],
      [`node-a:${r.bootId}:2`, `node-a:${r.bootId}:2`, 2],
    ]);
    expect(r.backlog()).toMatchObject({ batches: 0, sent: 2, dropped: 0, redisReachable: true });
    expect(await r.submit([])).toBeNull();
  });

  it('journals while Redis is unreachable; a process killed then restarted on a reachable Redis sends it all, in order', async () => {
    const down = await reporter({ redisUrl: await closedPortUrl() });
    for (const count of [1, 2, 3]) await down.submit([row(count)]);
    await new Promise((resolve) => setTimeout(resolve, 300)); // a few failed retries
    expect(down.backlog()).toMatchObject({ batches: 3, sent: 0, redisReachable: false });
    // No stop(): as if SIGKILLed. Its journal is on disk; the next process (same prefix) takes over.
    open.pop();
    const up = await reporter();
    await up.submit([row(4)]);
    await waitFor('journal drained', async () => (await queued()).length === 4 && up.backlog().batches === 0);
    expect((await queued()).map(([, , count]) => count)).toEqual([1, 2, 3, 4]);
    expect(up.backlog().batches).toBe(0);
    await down.stop(100);
  });

  it('rides out a Redis outage in the middle of a run: nothing lost, nothing twice', async () => {
    const relay = await TcpRelay.start('127.0.0.1', 6379);
    try {
      const r = await reporter({ redisUrl: relay.url });
      await r.submit([row(1)]);
      await waitFor('first batch queued', async () => (await queued()).length === 1);
      await relay.cut();
      for (const count of [2, 3, 4]) await r.submit([row(count)]);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(r.backlog()).toMatchObject({ batches: 3, redisReachable: false });
      await relay.restore();
      await r.submit([row(5)]);
      await waitFor('journal drained after the outage', async () => (await queued()).length === 5 && r.backlog().batches === 0, 5000);
      expect((await queued()).map(([, , count]) => count)).toEqual([1, 2, 3, 4, 5]);
      expect(r.backlog()).toMatchObject({ batches: 0, sent: 5 });
    } finally {
      await relay.close();
    }
  });

  it('a graceful stop flushes the counts in memory; a recorder recreated on the same prefix carries on', async () => {
    const first = await UsageRecorder.start({ ...options(), flushIntervalMs: 60_000 });
    first.record(null, null, null, 200, 1, 2, 3, 1);
    first.record(null, null, null, 200, 1, 2, 3, 1);
    await first.stop();
    expect((await queued()).map(([, , count]) => count)).toEqual([2]);
    const second = await UsageRecorder.start({ ...options(), flushIntervalMs: 60_000 });
    open.push(second);
    second.record(null, null, null, 200, 1, 2, 3, 1);
    await second.flush();
    await waitFor('second batch queued', async () => (await queued()).length === 2);
    const [a, b] = await queued();
    expect(a![0].split(':')[1]).not.toBe(b![0].split(':')[1]); // a new boot id: seq restarting at 1 cannot collide
  });

  it('a graceful stop while Redis is down leaves the batch on disk for the next start', async () => {
    const recorder = await UsageRecorder.start({ ...options({ redisUrl: await closedPortUrl() }), flushIntervalMs: 60_000, stopTimeoutMs: 300 });
    recorder.record(null, null, null, 503, 0, 0, 1, -1);
    await recorder.stop();
    expect(await queued()).toEqual([]);
    await reporter();
    await waitFor('batch sent by the next process', async () => (await queued()).length === 1);
  });

  it('refuses a node id that would break the job id', async () => {
    await expect(UsageReporter.open(options({ nodeId: 'a:b' }))).rejects.toThrow(/node id/);
  });
});
