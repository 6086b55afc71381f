/**
 * Both planes on Redis behind Sentinel (a master, a replica and three sentinels of the test's
 * own), given as TOLLGATE_REDIS_SENTINELS; REDIS_URL points at a closed port. The master is
 * killed under traffic: the sentinels promote the replica, both planes follow it, and the usage
 * of every call made before, during and after the failover is counted exactly once.
 */
import { waitFor } from '@tollgate/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PrivateRedisSentinel, SENTINEL_MASTER } from './support/private-redis-sentinel';
import { UsagePlatform, type DataPlaneUnderTest } from './support/usage-platform';

jest.setTimeout(150_000);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('Redis Sentinel: usage across a failover', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-redis-sentinel-'));
  let redis: PrivateRedisSentinel;
  let platform: UsagePlatform;
  let eu: DataPlaneUnderTest;
  let us: DataPlaneUnderTest;

  beforeAll(async () => {
    redis = await PrivateRedisSentinel.start(dir);
    ({ platform, eu, us } = await UsagePlatform.twoRegions('usage-redis-sentinel', {
      redisUrl: 'redis://127.0.0.1:1',
      env: { TOLLGATE_REDIS_SENTINELS: redis.sentinels, TOLLGATE_REDIS_SENTINEL_MASTER: SENTINEL_MASTER },
    }));
  });

  afterAll(async () => {
    await platform?.dispose();
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('counts every call exactly once when the master is killed and the replica promoted', async () => {
    let beforeFailover = 0;
    const failover = (async () => {
      await sleep(2000);
      beforeFailover = platform.tally.total.requests;
      await redis.kill(redis.masterPort);
      await waitFor('the replica promoted', async () => (await redis.currentMasterPort()) === redis.replicaPort, 30_000, 200);
      await sleep(3000);
    })();
    await platform.sendDuring([eu, us], failover, 90_000);
    await failover;
    expect(platform.unanswered).toBe(0);
    expect(beforeFailover).toBeGreaterThan(10);
    expect(platform.tally.total.requests).toBeGreaterThan(beforeFailover);
    await platform.expectExactTotals(60_000);
  });
});
