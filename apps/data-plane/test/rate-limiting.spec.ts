import Redis from 'ioredis';
import type { RunningDataPlane } from '../src/data-plane';
import { consumer, keyauth, plugin, route, service, snapshot } from './support/config-fixtures';
import { startEchoUpstream, type EchoUpstream } from './support/echo-upstream';
import { memoryLogger } from './support/memory-logger';
import { json, redisPrefix, send, startTestDataPlane } from './support/test-data-plane';

const REDIS = { host: '127.0.0.1', port: 6379 };

/** Hour windows: a test never straddles a window boundary the way a minute one might. */
async function statuses(url: string, count: number, headers: Record<string, string> = {}): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < count; i++) out.push((await send(url, { headers })).status);
  return out;
}

describe('rate-limiting, local policy', () => {
  let upstream: EchoUpstream;
  let dp: RunningDataPlane;
  const alice = consumer('alice');
  const bob = consumer('bob');

  beforeAll(async () => {
    upstream = await startEchoUpstream();
    dp = await startTestDataPlane();
    const echo = service({ host: '127.0.0.1', port: upstream.port });
    const open = route(echo, { paths: ['/open'] });
    const keyed = route(echo, { paths: ['/keyed'] });
    const byHeader = route(echo, { paths: ['/tenant'] });
    const quiet = route(echo, { paths: ['/quiet'] });
    const byPath = route(echo, { paths: ['/paths'] });
    const byService = route(echo, { paths: ['/service-a', '/service-b'] });
    const result = await dp.applySnapshot(
      snapshot({
        services: [echo],
        routes: [open, keyed, byHeader, quiet, byPath, byService],
        consumers: [alice, bob],
        keyauth_credentials: [keyauth(alice, 'alice-key'), keyauth(bob, 'bob-key')],
        plugins: [
          plugin('rate-limiting', { hour: 3, day: 100, limit_by: 'ip' }, { route: open }),
          plugin('key-auth', {}, { route: keyed }),
          plugin('rate-limiting', { hour: 2 }, { route: keyed }),
          // A consumer-scoped instance beats the route's for that consumer (Kong's precedence).
          plugin('rate-limiting', { hour: 4 }, { route: keyed, consumer: bob }),
          plugin('rate-limiting', { hour: 1, limit_by: 'header', header_name: 'X-Tenant' }, { route: byHeader }),
          plugin('rate-limiting', { hour: 1, hide_client_headers: true }, { route: quiet }),
          plugin('rate-limiting', { hour: 1, limit_by: 'path', path: '/paths/limited' }, { route: byPath }),
          plugin('rate-limiting', { hour: 2, limit_by: 'service' }, { route: byService }),
        ],
      }),
    );
    expect(result).toEqual({ ok: true });
  });

  afterAll(async () => {
    await dp.close();
    await upstream.close();
  });

  it("sets Kong's headers and answers 429 with Retry-After past the limit", async () => {
    const first = await send(`${dp.proxyUrl}/open`);
    expect(first.status).toBe(200);
    expect(first.headers).toMatchObject({
      'x-ratelimit-limit-hour': '3',
      'x-ratelimit-remaining-hour': '2',
      'x-ratelimit-limit-day': '100',
      'x-ratelimit-remaining-day': '99',
      'ratelimit-limit': '3',
      'ratelimit-remaining': '2',
    });
    expect(Number(first.headers['ratelimit-reset'])).toBeGreaterThan(0);
    expect(await statuses(`${dp.proxyUrl}/open`, 2)).toEqual([200, 200]);
    const limited = await send(`${dp.proxyUrl}/open`);
    expect(limited.status).toBe(429);
    expect(json(limited)).toEqual({ message: 'API rate limit exceeded' });
    expect(limited.headers['x-ratelimit-remaining-hour']).toBe('0');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('counts per consumer, with consumer-scoped limits taking precedence', async () => {
    expect(await statuses(`${dp.proxyUrl}/keyed`, 3, { apikey: 'alice-key' })).toEqual([200, 200, 429]);
    expect(await statuses(`${dp.proxyUrl}/keyed`, 5, { apikey: 'bob-key' })).toEqual([200, 200, 200, 200, 429]);
  });

  it('counts per header value when limit_by is header', async () => {
    expect(await statuses(`${dp.proxyUrl}/tenant`, 2, { 'x-tenant': 'a' })).toEqual([200, 429]);
    expect(await statuses(`${dp.proxyUrl}/tenant`, 1, { 'x-tenant': 'b' })).toEqual([200]);
  });

  it('counts the configured path apart when limit_by is path', async () => {
    expect(await statuses(`${dp.proxyUrl}/paths/limited`, 2)).toEqual([200, 429]);
  });

  it('counts every client of a service together when limit_by is service', async () => {
    expect((await send(`${dp.proxyUrl}/service-a`, { headers: { 'x-forwarded-for': '198.51.100.1' } })).status).toBe(200);
    expect((await send(`${dp.proxyUrl}/service-b`)).status).toBe(200);
    expect((await send(`${dp.proxyUrl}/service-a`)).status).toBe(429);
  });

  it('hides the rate-limit headers when asked, but still says when to retry', async () => {
    const ok = await send(`${dp.proxyUrl}/quiet`);
    expect(ok.headers['x-ratelimit-limit-hour']).toBeUndefined();
    expect(ok.headers['ratelimit-limit']).toBeUndefined();
    const limited = await send(`${dp.proxyUrl}/quiet`);
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBeDefined();
  });
});

describe('rate-limiting, redis policy', () => {
  const prefix = redisPrefix('rate-limiting');
  let upstream: EchoUpstream;
  let planes: RunningDataPlane[];
  let redis: Redis;

  beforeAll(async () => {
    upstream = await startEchoUpstream();
    redis = new Redis(REDIS);
    planes = await Promise.all([startTestDataPlane({ redisKeyPrefix: prefix }), startTestDataPlane({ redisKeyPrefix: prefix })]);
  });

  afterAll(async () => {
    await Promise.all(planes.map((p) => p.close()));
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
    await upstream.close();
  });

  it('shares one limit across two data planes', async () => {
    const echo = service({ host: '127.0.0.1', port: upstream.port });
    const shared = route(echo, { paths: ['/shared'] });
    const config = snapshot({
      services: [echo],
      routes: [shared],
      plugins: [plugin('rate-limiting', { hour: 4, policy: 'redis', redis: REDIS }, { route: shared })],
    });
    for (const plane of planes) expect(await plane.applySnapshot(config)).toEqual({ ok: true });
    const seen: number[] = [];
    for (let i = 0; i < 6; i++) seen.push((await send(`${planes[i % 2]!.proxyUrl}/shared`)).status);
    expect(seen).toEqual([200, 200, 200, 200, 429, 429]);
    expect((await redis.keys(`${prefix}ratelimit:*`)).length).toBeGreaterThan(0);
  });
});

describe('rate-limiting, redis unreachable', () => {
  let upstream: EchoUpstream;
  let dp: RunningDataPlane;
  const { logger, lines } = memoryLogger();

  beforeAll(async () => {
    upstream = await startEchoUpstream();
    dp = await startTestDataPlane({}, { logger });
    const echo = service({ host: '127.0.0.1', port: upstream.port });
    const tolerant = route(echo, { paths: ['/tolerant'] });
    const strict = route(echo, { paths: ['/strict'] });
    const down = { host: '127.0.0.1', port: 1, timeout: 200 };
    const result = await dp.applySnapshot(
      snapshot({
        services: [echo],
        routes: [tolerant, strict],
        plugins: [
          plugin('rate-limiting', { hour: 1, policy: 'redis', redis: down }, { route: tolerant }),
          plugin('rate-limiting', { hour: 1, policy: 'redis', redis: down, fault_tolerant: false }, { route: strict }),
        ],
      }),
    );
    expect(result).toEqual({ ok: true });
  });

  afterAll(async () => {
    await dp.close();
    await upstream.close();
  });

  it('lets requests through when fault_tolerant, warning once per interval', async () => {
    expect(await statuses(`${dp.proxyUrl}/tolerant`, 4)).toEqual([200, 200, 200, 200]);
    const warnings = lines().filter((l) => l.topic === 'rate-limiting-store');
    expect(warnings).toHaveLength(1);
  });

  it('answers 500 when not fault_tolerant', async () => {
    const reply = await send(`${dp.proxyUrl}/strict`);
    expect(reply.status).toBe(500);
  });
});
