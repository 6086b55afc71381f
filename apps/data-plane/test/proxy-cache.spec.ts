/** Kong's spec/03-plugins/31-proxy-cache/02-access_spec.lua, translated onto a real data plane and upstream. */
import { processCache } from '@tollgate/plugins';
import { deliverPluginMessage } from '../src/config/plugin-messages';
import type { RunningDataPlane } from '../src/data-plane';
import { consumer, keyauth, plugin, route, service, snapshot } from './support/config-fixtures';
import { answer, startScriptedUpstream, type ScriptedUpstream } from './support/scripted-upstream';
import { send, startTestDataPlane } from './support/test-data-plane';

describe('proxy-cache', () => {
  let upstream: ScriptedUpstream;
  let dp: RunningDataPlane;
  const get = (host: string, path = '/get', headers: Record<string, string> = {}, method = 'GET') => send(`${dp.proxyUrl}${path}`, { method, headers: { host, ...headers } });
  const plugins: Record<string, ReturnType<typeof plugin>> = {};

  beforeAll(async () => {
    upstream = await startScriptedUpstream();
    let n = 0;
    // Every answer differs, so a hit is told from a miss by its body.
    upstream.script('/get', (seen, res) => {
      const body = JSON.stringify({ n: ++n, url: seen.url });
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), 'X-Upstream': 'yes' });
      res.end(body);
    });
    upstream.script('/max-age', answer(200, { 'Content-Type': 'application/json', 'Cache-Control': 'max-age=60' }, '{"cc":1}'));
    upstream.script('/s-maxage', answer(200, { 'Content-Type': 'application/json', 'Cache-Control': 's-maxage=60' }, '{"cc":2}'));
    upstream.script('/private', answer(200, { 'Content-Type': 'application/json', 'Cache-Control': 'private, max-age=60' }, '{"cc":3}'));
    upstream.script('/expires', answer(200, { 'Content-Type': 'application/json', Expires: new Date(Date.now() + 60_000).toUTCString() }, '{"cc":4}'));
    upstream.script('/html', answer(200, { 'Content-Type': 'text/html' }, '<p>'));
    upstream.script('/teapot', answer(418, { 'Content-Type': 'application/json' }, '{}'));
    upstream.script('/charset', answer(200, { 'Content-Type': 'application/json; charset=utf-8' }, '{}'));
    upstream.script('/stream', (_seen, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.write('part one,');
      setTimeout(() => res.end('part two'), 10);
    });
    dp = await startTestDataPlane();
    const svc = service({ host: '127.0.0.1', port: upstream.port });
    const r = (host: string) => route(svc, { hosts: [host], strip_path: false });
    const routes = { c1: r('cache1.test'), c2: r('cache2.test'), cc: r('cache-control.test'), params: r('params.test'), headers: r('headers.test'), auth: r('auth.test'), methods: r('methods.test'), hidden: r('hidden.test'), wild: r('wild.test'), nocase: r('nocase.test'), ttl: r('ttl.test') };
    const alice = consumer('alice');
    const bob = consumer('bob');
    const configs: Record<string, Record<string, unknown>> = {
      c1: {},
      c2: {},
      cc: { cache_control: true },
      params: { vary_query_params: ['foo'] },
      headers: { vary_headers: ['foo'] },
      auth: {},
      methods: { request_method: ['POST'], response_code: [418], content_type: ['application/json'] },
      hidden: { response_headers: { age: false, 'X-Cache-Status': false, 'X-Cache-Key': false } },
      wild: { content_type: ['*/*'] },
      nocase: { ignore_uri_case: true },
      ttl: { cache_ttl: 1, storage_ttl: 60 },
    };
    for (const [name, config] of Object.entries(configs)) plugins[name] = plugin('proxy-cache', config, { route: routes[name as keyof typeof routes] });
    const result = await dp.applySnapshot(
      snapshot({
        services: [svc],
        routes: Object.values(routes),
        consumers: [alice, bob],
        keyauth_credentials: [keyauth(alice, 'alice-key'), keyauth(bob, 'bob-key')],
        plugins: [...Object.values(plugins), plugin('key-auth', {}, { route: routes.auth })],
      }),
    );
    expect(result).toEqual({ ok: true });
  });

  afterAll(async () => {
    await dp.close();
    await upstream.close();
    processCache.purge(null, null);
  });

  // it("caches a simple request")
  it('misses, then hits with the same body, key and an Age', async () => {
    const miss = await get('cache1.test');
    expect(miss.status).toBe(200);
    expect(miss.headers['x-cache-status']).toBe('Miss');
    const hit = await get('cache1.test');
    expect(hit.status).toBe(200);
    expect(hit.headers['x-cache-status']).toBe('Hit');
    expect(hit.body).toBe(miss.body);
    expect(hit.headers['x-cache-key']).toBe(miss.headers['x-cache-key']);
    expect(hit.headers['x-cache-key']).toMatch(/^[0-9a-f]{64}$/);
    expect(hit.headers.age).toMatch(/^\d+$/);
    expect(hit.headers['content-type']).toBe('application/json');
    expect(hit.headers['x-upstream']).toBe('yes');
    expect(hit.headers['x-tollgate-upstream-latency']).toBeUndefined();
  });

  // it("differentiates caches between instances") / "uses a separate cache key ... between routes"
  it('keeps one cache per route', async () => {
    const other = await get('cache2.test');
    expect(other.headers['x-cache-status']).toBe('Miss');
    expect(other.headers['x-cache-key']).not.toBe((await get('cache1.test')).headers['x-cache-key']);
  });

  // it("No X-Cache* neither age headers on the response without debug header in the query") / Kong-Debug
  it('hides its headers when configured, unless Kong-Debug asks', async () => {
    await get('hidden.test');
    const hit = await get('hidden.test');
    expect(hit.headers['x-cache-status']).toBeUndefined();
    expect(hit.headers.age).toBeUndefined();
    expect((await get('hidden.test', '/get', { 'kong-debug': '1' })).headers['x-cache-status']).toBe('Hit');
  });

  // it("respects cache ttl") (with storage_ttl > cache_ttl, as Kong's route-6: the entry is still stored, so Refresh)
  it('refreshes an entry past cache_ttl', async () => {
    await get('ttl.test');
    expect((await get('ttl.test')).headers['x-cache-status']).toBe('Hit');
    await new Promise((resolve) => setTimeout(resolve, 2100));
    expect((await get('ttl.test')).headers['x-cache-status']).toBe('Refresh');
    expect((await get('ttl.test')).headers['x-cache-status']).toBe('Hit');
  });

  // it("respects cache ttl via cache control") / "public not present in Cache-Control, but max-age is" / "Cache-Control contains s-maxage only" / "Expires present, Cache-Control absent"
  it("with cache_control, caches what the upstream's max-age, s-maxage or Expires allow, and not private or no directive", async () => {
    for (const path of ['/max-age', '/s-maxage', '/expires']) {
      expect((await get('cache-control.test', path)).headers['x-cache-status']).toBe('Miss');
      expect((await get('cache-control.test', path)).headers['x-cache-status']).toBe('Hit');
    }
    expect((await get('cache-control.test', '/private')).headers['x-cache-status']).toBe('Bypass');
    expect((await get('cache-control.test', '/get')).headers['x-cache-status']).toBe('Bypass');
  });

  // describe("respects cache-control") it("max-age") / it("only-if-cached") / no-cache
  it("with cache_control, honours the client's directives", async () => {
    expect((await get('cache-control.test', '/max-age', { 'cache-control': 'max-age=0' })).headers['x-cache-status']).toBe('Refresh');
    expect((await get('cache-control.test', '/max-age', { 'cache-control': 'no-cache' })).headers['x-cache-status']).toBe('Bypass');
    expect((await get('cache-control.test', '/never', { 'cache-control': 'only-if-cached' })).status).toBe(504);
    expect((await get('cache-control.test', '/max-age', { authorization: 'Basic x' })).headers['x-cache-status']).toBe('Bypass');
  });

  // it("caches a streaming request")
  it('caches a chunked answer whole', async () => {
    const miss = await get('cache1.test', '/stream');
    expect(miss.headers['x-cache-status']).toBe('Miss');
    const hit = await get('cache1.test', '/stream');
    expect(hit.headers['x-cache-status']).toBe('Hit');
    expect(hit.body).toBe('part one,part two');
  });

  // it("uses request params as part of the cache key") / it("can focus only in a subset of the query arguments")
  it('keys on all query arguments, or the chosen ones', async () => {
    const a = await get('cache1.test', '/get?a=1&b=2');
    expect((await get('cache1.test', '/get?b=2&a=1')).headers['x-cache-key']).toBe(a.headers['x-cache-key']);
    expect((await get('cache1.test', '/get?a=1&b=3')).headers['x-cache-key']).not.toBe(a.headers['x-cache-key']);
    const foo = await get('params.test', '/get?foo=b&bar=1');
    expect((await get('params.test', '/get?foo=b&bar=2')).headers['x-cache-status']).toBe('Hit');
    expect((await get('params.test', '/get?foo=c')).headers['x-cache-key']).not.toBe(foo.headers['x-cache-key']);
  });

  // it("uses headers if instructed to do so")
  it('keys on the chosen request headers', async () => {
    const bar = await get('headers.test', '/get', { foo: 'bar' });
    expect((await get('headers.test', '/get', { foo: 'bar', other: 'x' })).headers['x-cache-status']).toBe('Hit');
    expect((await get('headers.test', '/get', { foo: 'baz' })).headers['x-cache-key']).not.toBe(bar.headers['x-cache-key']);
  });

  // describe("handles authenticated routes") it("by ignoring cache if the request is unauthenticated") / "by maintaining a separate cache per consumer"
  it('never answers an unauthenticated request from the cache, and keeps one cache per consumer', async () => {
    expect((await get('auth.test')).status).toBe(401);
    const alice = await get('auth.test', '/get', { apikey: 'alice-key' });
    expect((await get('auth.test', '/get', { apikey: 'alice-key' })).headers['x-cache-status']).toBe('Hit');
    const bob = await get('auth.test', '/get', { apikey: 'bob-key' });
    expect(bob.headers['x-cache-status']).toBe('Miss');
    expect(bob.headers['x-cache-key']).not.toBe(alice.headers['x-cache-key']);
  });

  // describe("bypasses cache for uncacheable requests/responses") request method / response status / content type
  it('bypasses other methods, statuses and media types', async () => {
    expect((await get('cache1.test', '/get', {}, 'POST')).headers['x-cache-status']).toBe('Bypass');
    expect((await get('cache1.test', '/teapot')).headers['x-cache-status']).toBe('Bypass');
    expect((await get('cache1.test', '/html')).headers['x-cache-status']).toBe('Bypass');
    // it("should not cache a request while parameter is not match")
    expect((await get('cache1.test', '/charset')).headers['x-cache-status']).toBe('Bypass');
  });

  // describe("caches non-default") request methods / response status; content-type "*/*"
  it('caches the configured methods, statuses and a wildcard media type', async () => {
    await get('methods.test', '/teapot', {}, 'POST');
    expect((await get('methods.test', '/teapot', {}, 'POST')).headers['x-cache-status']).toBe('Hit');
    await get('wild.test', '/html');
    expect((await get('wild.test', '/html')).headers['x-cache-status']).toBe('Hit');
  });

  // it("ignore uri case in cache_key") / it("acknowledge uri case in cache_key")
  it('folds the path case only with ignore_uri_case', async () => {
    const lower = await get('nocase.test', '/get');
    expect((await get('nocase.test', '/GET')).headers['x-cache-key']).toBe(lower.headers['x-cache-key']);
    expect((await get('cache2.test', '/GET')).headers['x-cache-key']).not.toBe((await get('cache2.test', '/get')).headers['x-cache-key']);
  });

  // 03-api_spec: "delete a cache entry" / "purge all the cache entries", as the control plane's message delivers them
  it('purges one key, one plugin, or everything on a plugin message', async () => {
    const key = String((await get('cache1.test')).headers['x-cache-key']);
    expect((await get('cache1.test')).headers['x-cache-status']).toBe('Hit');
    expect(deliverPluginMessage('proxy-cache', { plugin: plugins.c1!.id, key })).toBe(true);
    expect((await get('cache1.test')).headers['x-cache-status']).toBe('Miss');
    await get('cache2.test');
    deliverPluginMessage('proxy-cache', { plugin: plugins.c2!.id, key: null });
    expect((await get('cache2.test')).headers['x-cache-status']).toBe('Miss');
    expect((await get('cache1.test')).headers['x-cache-status']).toBe('Hit');
    deliverPluginMessage('proxy-cache', {});
    expect((await get('cache1.test')).headers['x-cache-status']).toBe('Miss');
  });
});
