import { deploymentRedisFor, isClusterAddress, parseRedisAddress, redisAddressFromEnv } from './redis-address';
import { usageQueuePrefix } from './usage-queue';

describe('redisAddressFromEnv', () => {
  it('is REDIS_URL (default the local Redis) when no cluster or sentinels are set', () => {
    expect(redisAddressFromEnv({})).toBe('redis://127.0.0.1:6379');
    expect(redisAddressFromEnv({ REDIS_URL: 'rediss://cache:6380/2' })).toBe('rediss://cache:6380/2');
  });

  it('prefers TOLLGATE_REDIS_CLUSTER seed nodes, then TOLLGATE_REDIS_SENTINELS, over REDIS_URL', () => {
    const cluster = redisAddressFromEnv({ REDIS_URL: 'redis://x:1', TOLLGATE_REDIS_CLUSTER: 'redis-0:6379, redis-1:6379,[::1]:7000' });
    expect(cluster).toBe('redis-cluster://redis-0:6379,redis-1:6379,[::1]:7000');
    expect(parseRedisAddress(cluster)).toEqual({ kind: 'cluster', nodes: [{ host: 'redis-0', port: 6379 }, { host: 'redis-1', port: 6379 }, { host: '::1', port: 7000 }] });
    const sentinel = redisAddressFromEnv({ REDIS_URL: 'redis://x:1', TOLLGATE_REDIS_SENTINELS: 's1:26379,s2:26379', TOLLGATE_REDIS_SENTINEL_MASTER: 'usage' });
    expect(parseRedisAddress(sentinel)).toEqual({ kind: 'sentinel', sentinels: [{ host: 's1', port: 26379 }, { host: 's2', port: 26379 }], master: 'usage' });
    expect(parseRedisAddress(redisAddressFromEnv({ TOLLGATE_REDIS_SENTINELS: 's1:26379' }))).toMatchObject({ master: 'mymaster' });
  });

  it.each([
    [{ TOLLGATE_REDIS_CLUSTER: 'redis-0,redis-1' }, "TOLLGATE_REDIS_CLUSTER: expected host:port[,host:port...], got 'redis-0,redis-1' ('redis-0' is not host:port)"],
    [{ TOLLGATE_REDIS_CLUSTER: 'redis-0:99999' }, "('redis-0:99999' is not host:port)"],
    [{ TOLLGATE_REDIS_SENTINELS: 's1:26379,' }, "TOLLGATE_REDIS_SENTINELS: expected host:port[,host:port...], got 's1:26379,'"],
    [{ TOLLGATE_REDIS_SENTINELS: 's1:26379', TOLLGATE_REDIS_SENTINEL_MASTER: 'my master' }, "TOLLGATE_REDIS_SENTINEL_MASTER: expected a master name"],
    [{ REDIS_URL: 'localhost:6379' }, "REDIS_URL: expected a redis:// or rediss:// URL, got 'localhost:6379'"],
  ])('refuses %j naming the variable', (env, message) => {
    expect(() => redisAddressFromEnv(env)).toThrow(message);
  });
});

describe('keys on a cluster', () => {
  it('hash-tags the usage queue prefix on a cluster only, keeping a tag already there', () => {
    expect(usageQueuePrefix('tollgate:', false)).toBe('tollgate');
    expect(usageQueuePrefix('tollgate:', true)).toBe('{tollgate}');
    expect(usageQueuePrefix('{tg}:', true)).toBe('{tg}');
    expect(isClusterAddress('redis-cluster://a:1')).toBe(true);
    expect(isClusterAddress('redis://a:1')).toBe(false);
  });

  it("takes a rate-limiting config's host:port for the deployment's cluster or sentinels only when it names one of them", () => {
    expect(deploymentRedisFor('redis-cluster://10.0.0.1:6379,10.0.0.2:6379', '10.0.0.2', 6379)).toBe(true);
    expect(deploymentRedisFor('redis-cluster://10.0.0.1:6379', '10.0.0.9', 6379)).toBe(false);
    expect(deploymentRedisFor('redis-sentinel://127.0.0.1:26379/mymaster', null, 26379)).toBe(true);
    expect(deploymentRedisFor('redis://10.0.0.1:6379', '10.0.0.1', 6379)).toBe(false);
  });
});
