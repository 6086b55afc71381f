import Redis from 'ioredis';
import { randomBytes } from 'node:crypto';

export const TEST_REDIS_URL = process.env.TOLLGATE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A Redis key prefix of its own for one suite (or control plane), so suites never share queues or counters. */
export function testRedisPrefix(suite: string): string {
  return `tollgate-test:${suite.replace(/[^a-z0-9_-]/gi, '_').slice(0, 60)}:${randomBytes(4).toString('hex')}:`;
}

/** Deletes every key under a test prefix (SCAN, never KEYS: the Redis is shared). */
export async function deleteRedisKeys(prefix: string, url = TEST_REDIS_URL): Promise<void> {
  if (!prefix.startsWith('tollgate-test:')) throw new Error(`refusing to delete keys outside a test prefix: '${prefix}'`);
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
