/**
 * Kong's spec/03-plugins/24-response-rate-limiting/04-access_spec.lua, translated: the upstream
 * reports what each call used in X-Kong-Limit; hour windows so no test straddles a window turning.
 */
import type { RunningDataPlane } from '../src/data-plane';
import { consumer, keyauth, plugin, route, service, snapshot } from './support/config-fixtures';
import { startScriptedUpstream, type ScriptedUpstream } from './support/scripted-upstream';
import { json, send, startTestDataPlane } from './support/test-data-plane';

describe('response-ratelimiting', () => {
  let upstream: ScriptedUpstream;
  let dp: RunningDataPlane;
  /** `/use?limit=video=2` makes the upstream answer `X-Kong-Limit: video=2`; the body echoes the request headers. */
  const call = (host: string, usage: string, headers: Record<string, string> = {}) =>
    send(`${dp.proxyUrl}/use?limit=${encodeURIComponent(usage)}`, { headers: { host, ...headers } });

  beforeAll(async () => {
    upstream = await startScriptedUpstream();
    upstream.script('/use', (seen, res) => {
      const usage = new URL(seen.url, 'http://x').searchParams.get('limit') ?? '';
      const body = JSON.stringify(seen.headers);
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), ...(usage ? { 'X-Kong-Limit': usage } : {}) });
      res.end(body);
    });
    dp = await startTestDataPlane();
    const svc = service({ host: '127.0.0.1', port: upstream.port });
    const r = (host: string) => route(svc, { hosts: [host], strip_path: false });
    const routes = { one: r('test1.test'), two: r('test2.test'), block: r('block.test'), hidden: r('hidden.test'), consumer: r('consumer.test') };
    const alice = consumer('alice');
    const bob = consumer('bob');
    const result = await dp.applySnapshot(
      snapshot({
        services: [svc],
        routes: Object.values(routes),
        consumers: [alice, bob],
        keyauth_credentials: [keyauth(alice, 'alice-key'), keyauth(bob, 'bob-key')],
        plugins: [
          plugin('response-ratelimiting', { limits: { video: { hour: 6 } } }, { route: routes.one }),
          plugin('response-ratelimiting', { limits: { video: { hour: 6, day: 100 }, image: { hour: 4 } } }, { route: routes.two }),
          plugin('response-ratelimiting', { block_on_first_violation: true, limits: { video: { hour: 2 }, image: { hour: 100 } } }, { route: routes.block }),
          plugin('response-ratelimiting', { hide_client_headers: true, limits: { video: { hour: 1 } } }, { route: routes.hidden }),
          plugin('key-auth', {}, { route: routes.consumer }),
          plugin('response-ratelimiting', { limits: { video: { hour: 2 } } }, { route: routes.consumer }),
        ],
      }),
    );
    expect(result).toEqual({ ok: true });
  });

  afterAll(async () => {
    await dp.close();
    await upstream.close();
  });

  // it("blocks if exceeding limit") and the X-RateLimit-*-video-minute headers it reads on the way
  it('counts what the upstream reports, tells client and upstream what is left, and answers 429 past the limit', async () => {
    const seen: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await call('test1.test', 'video=2');
      expect(res.status).toBe(200);
      expect(res.headers['x-ratelimit-limit-video-hour']).toBe('6');
      seen.push(String(res.headers['x-ratelimit-remaining-video-hour']));
      expect(json(res)['x-ratelimit-remaining-video']).toBe(String(6 - 2 * i));
      expect(res.headers['x-kong-limit']).toBeUndefined();
    }
    expect(seen).toEqual(['4', '2', '0']);
    const over = await call('test1.test', 'video=2');
    expect(over.status).toBe(429);
    expect(over.body).toBe('');
    // A call that uses nothing of the limit still goes through.
    expect((await call('test1.test', '')).status).toBe(200);
  });

  // it("handles multiple limits")
  it('counts several limits from one header, each against its own periods', async () => {
    const first = await call('test2.test', 'video=2, image=3');
    expect(first.headers).toMatchObject({
      'x-ratelimit-remaining-video-hour': '4',
      'x-ratelimit-remaining-video-day': '98',
      'x-ratelimit-remaining-image-hour': '1',
    });
    const second = await call('test2.test', 'video=1, image=1');
    expect(second.headers).toMatchObject({ 'x-ratelimit-remaining-video-hour': '3', 'x-ratelimit-remaining-image-hour': '0' });
    expect(json(second)['x-ratelimit-remaining-image']).toBe('1');
    expect((await call('test2.test', 'image=1')).status).toBe(429);
  });

  // it("blocks if the only rate-limiting plugin existing is per consumer and not per API") / block_on_first_violation
  it('refuses every call in access once any limit is used up, with block_on_first_violation', async () => {
    expect((await call('block.test', 'video=2')).status).toBe(200);
    const refused = await call('block.test', 'image=1');
    expect(refused.status).toBe(429);
    expect(json(refused)).toEqual({ message: "API rate limit exceeded for 'video'" });
    expect(upstream.hits.get('/use')).toBeGreaterThan(0);
  });

  // it("should not send the X-RateLimit headers when hide_client_headers is true")
  it('hides its headers when asked', async () => {
    const res = await call('hidden.test', 'video=1');
    expect(res.status).toBe(200);
    expect(Object.keys(res.headers).filter((h) => h.startsWith('x-ratelimit'))).toEqual([]);
  });

  // it("limits per consumer")
  it('counts per consumer', async () => {
    expect((await call('consumer.test', 'video=2', { apikey: 'alice-key' })).status).toBe(200);
    expect((await call('consumer.test', 'video=2', { apikey: 'alice-key' })).status).toBe(429);
    expect((await call('consumer.test', 'video=2', { apikey: 'bob-key' })).status).toBe(200);
  });
});
