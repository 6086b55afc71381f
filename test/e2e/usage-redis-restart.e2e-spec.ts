/**
 * Redis dies under traffic. The data planes keep proxying and journal their batches on disk; the
 * control plane's worker waits; when Redis is back every batch is sent, in order, and the totals
 * are exact. Then Redis comes back empty after an outage during which the cluster workers of a
 * data plane, holding journaled batches, are killed: their replacements (same slots) send them.
 *
 * The Redis here is the test's own redis-server on a free port, killed with SIGKILL. Through the
 * first outage it keeps its data (an append-only file fsynced on every write, as a production
 * queue should run): a job Redis acknowledged (so the data plane forgot the batch) and no worker
 * had taken yet is lost with a Redis that forgets its data, whatever the gateway does. So the
 * restart that comes back empty is done once everything sent so far had been applied.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PrivateRedis } from './support/private-redis';
import { FLUSH_INTERVAL_S, UsagePlatform, type DataPlaneUnderTest } from './support/usage-platform';

jest.setTimeout(120_000);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('usage: Redis restarted mid-run', () => {
  const redisDir = mkdtempSync(join(tmpdir(), 'tollgate-private-redis-'));
  let redis: PrivateRedis;
  let platform: UsagePlatform;
  let eu: DataPlaneUnderTest;
  let us: DataPlaneUnderTest;

  beforeAll(async () => {
    redis = await PrivateRedis.create(redisDir);
    await redis.start(true);
    ({ platform, eu, us } = await UsagePlatform.twoRegions('usage-redis-restart', { redisUrl: redis.url }));
  });

  afterAll(async () => {
    await platform?.dispose();
    await redis?.kill();
    rmSync(redisDir, { recursive: true, force: true });
  });

  it('keeps proxying through a Redis SIGKILL and reports exact totals once it is back', async () => {
    let duringOutage = 0;
    const outage = (async () => {
      await sleep(1500);
      await redis.kill();
      const before = platform.tally.total.requests;
      await sleep(4000);
      duringOutage = platform.tally.total.requests - before;
      await redis.start(true);
      await sleep(500);
    })();
    await platform.sendDuring([eu, us], outage);
    await outage;
    // Every call was answered, the ones made while Redis was down included.
    expect(platform.unanswered).toBe(0);
    expect(duringOutage).toBeGreaterThan(50);
    await platform.expectExactTotals(45_000);
  });

  it('reports exact totals after Redis comes back empty, with cluster workers killed while holding journaled batches', async () => {
    await redis.kill();
    redis.wipe();
    expect(await platform.send([eu, us], 160)).toBe(160);
    // Nothing new arrives: after two flush intervals every call is journaled on disk.
    await sleep(2.5 * FLUSH_INTERVAL_S * 1000);
    const journaled = us.journaledBatches();
    expect(journaled).toBeGreaterThan(0);

    const workers = us.workerPids();
    expect(workers).toHaveLength(2);
    for (const pid of workers) process.kill(pid, 'SIGKILL');
    // The primary starts a replacement for each slot, which picks up that slot's journal.
    await new Promise<void>((resolve, reject) => {
      const deadline = Date.now() + 20_000;
      const check = () => {
        const now = us.workerPids();
        if (now.length === 2 && now.every((pid) => !workers.includes(pid))) return resolve();
        if (Date.now() > deadline) return reject(new Error(`cluster workers not replaced: ${now.join(',')}\n${platform.diagnostics()}`));
        setTimeout(check, 100);
      };
      check();
    });
    expect(us.journaledBatches()).toBe(journaled);
    // The replacements serve (still without Redis).
    await us.waitListening();
    expect(await platform.send([us], 40)).toBe(40);

    await redis.start(false);
    await platform.expectExactTotals(45_000);
    expect(us.journaledBatches()).toBe(0);
    expect(eu.journaledBatches()).toBe(0);
  });
});
