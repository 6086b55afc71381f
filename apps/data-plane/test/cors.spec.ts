/** Kong's spec/03-plugins/13-cors/01-access_spec.lua, translated: a real data plane and upstream. */
import type { RunningDataPlane } from '../src/data-plane';
import { consumer, keyauth, plugin, route, service, snapshot } from './support/config-fixtures';
import { answer, startScriptedUpstream, type ScriptedUpstream } from './support/scripted-upstream';
import { send, startTestDataPlane } from './support/test-data-plane';

const DEFAULT_METHODS = 'GET,HEAD,PUT,PATCH,POST,DELETE,OPTIONS,TRACE,CONNECT';
const FULL = { origins: ['example.test'], methods: ['GET'], headers: ['origin', 'type', 'accepts'], exposed_headers: ['x-auth-token'], max_age: 23 };

describe('cors', () => {
  let upstream: ScriptedUpstream;
  let dp: RunningDataPlane;
  const preflight = (host: string, headers: Record<string, string> = {}) =>
    send(`${dp.proxyUrl}/`, { method: 'OPTIONS', headers: { host, 'access-control-request-method': 'GET', ...headers } });
  const get = (host: string, headers: Record<string, string> = {}, path = '/') => send(`${dp.proxyUrl}${path}`, { headers: { host, ...headers } });

  beforeAll(async () => {
    upstream = await startScriptedUpstream();
    upstream.script('/status/201', answer(201, { 'Content-Type': 'application/json' }, '{"code":201}'));
    upstream.script('/acao', answer(200, { 'Access-Control-Allow-Origin': 'http://upstream.test' }, 'ok'));
    upstream.script('/vary', answer(200, { Vary: 'Accept-Encoding' }, 'ok'));
    dp = await startTestDataPlane();
    const echo = service({ host: '127.0.0.1', port: upstream.port });
    const dead = service({ host: '127.0.0.1', port: 1, retries: 0 });
    const hosts = ['cors1', 'cors2', 'cors3', 'cors4', 'cors5', 'cors7', 'cors-empty', 'cors10', 'cors13', 'cors14', 'cors15', 'cors16', 'cors-regex', 'cors12'];
    const routes = Object.fromEntries(hosts.map((h) => [h, route(echo, { hosts: [`${h}.test`], strip_path: false })]));
    routes['cors-timeout'] = route(dead, { hosts: ['cors-timeout.test'] });
    const alice = consumer('alice');
    const result = await dp.applySnapshot(
      snapshot({
        services: [echo, dead],
        routes: Object.values(routes),
        consumers: [alice],
        keyauth_credentials: [keyauth(alice, 'alice-key')],
        plugins: [
          plugin('cors', {}, { route: routes.cors1 }),
          plugin('cors', { ...FULL, credentials: true }, { route: routes.cors2 }),
          plugin('cors', { ...FULL, preflight_continue: true }, { route: routes.cors3 }),
          plugin('cors', {}, { route: routes.cors4 }),
          plugin('key-auth', {}, { route: routes.cors4 }),
          plugin('cors', { origins: ['*'], credentials: true }, { route: routes.cors5 }),
          plugin('cors', { origins: ['*'], credentials: false }, { route: routes.cors7 }),
          plugin('cors', { origins: [] }, { route: routes['cors-empty'] }),
          plugin('cors', { origins: ['http://my-site.test', 'http://my-other-site.test'] }, { route: routes.cors10 }),
          plugin('cors', { private_network: true, origins: ['allowed-domain.test'] }, { route: routes.cors13 }),
          plugin('cors', { origins: ['foo.bar', '*'] }, { route: routes.cors14 }),
          plugin('cors', { allow_origin_absent: false, origins: ['foo.bar'], exposed_headers: ['x-auth-token'], credentials: true }, { route: routes.cors15 }),
          plugin('cors', { allow_origin_absent: true, origins: ['foo.bar'], exposed_headers: ['x-auth-token'], credentials: true }, { route: routes.cors16 }),
          plugin('cors', { origins: ['(.*[./])?foo\\.test'] }, { route: routes['cors-regex'] }),
          plugin('cors', { credentials: true, max_age: 1728000, headers: ['DNT', 'X-CustomHeader'], methods: null, origins: ['a.xxx.test', 'allowed-domain.test'] }, { route: routes.cors12 }),
          plugin('cors', { ...FULL, max_age: 10, preflight_continue: true }, { route: routes['cors-timeout'] }),
        ],
      }),
    );
    expect(result).toEqual({ ok: true });
  });

  afterAll(async () => {
    await dp.close();
    await upstream.close();
  });

  describe('preflight (OPTIONS)', () => {
    // it("gives appropriate defaults")
    it('answers 200 with no body and the default methods, allowing *', async () => {
      const res = await preflight('cors1.test', { origin: 'origin1.test' });
      expect(res.status).toBe(200);
      expect(res.headers['content-length']).toBe('0');
      expect(res.headers['access-control-allow-methods']).toBe(DEFAULT_METHODS);
      expect(res.headers['access-control-allow-origin']).toBe('*');
      for (const absent of ['access-control-allow-headers', 'access-control-expose-headers', 'access-control-allow-credentials', 'access-control-max-age', 'vary']) {
        expect(res.headers[absent]).toBeUndefined();
      }
      expect(upstream.hits.get('/')).toBeUndefined();
    });

    // it("gives * wildcard when config.origins is empty")
    it('allows * when origins is an empty list', async () => {
      const res = await preflight('cors-empty.test', { origin: 'empty-origin.test' });
      expect(res.headers['access-control-allow-origin']).toBe('*');
      expect(res.headers.vary).toBeUndefined();
    });

    // it("gives appropriate defaults when origin is explicitly set to * and config.credentials=true")
    it('answers the caller origin with credentials when origins is * and credentials is on', async () => {
      const res = await preflight('cors5.test', { origin: 'origin5.test' });
      expect(res.headers['access-control-allow-origin']).toBe('origin5.test');
      expect(res.headers['access-control-allow-credentials']).toBe('true');
      expect(res.headers.vary).toBe('Origin');
    });

    // it("gives * wildcard when origin has multiple entries and have * included")
    it('allows * when * is among several origins', async () => {
      const res = await preflight('cors14.test', { origin: 'http://www.example.net' });
      expect(res.headers['access-control-allow-origin']).toBe('*');
    });

    // it("accepts config options")
    it('answers with the configured methods, headers, max age and credentials', async () => {
      const res = await preflight('cors2.test', { origin: 'origin5.test' });
      expect(res.status).toBe(200);
      expect(res.headers).toMatchObject({
        'access-control-allow-methods': 'GET',
        'access-control-allow-origin': 'example.test',
        'access-control-max-age': '23',
        'access-control-allow-credentials': 'true',
        'access-control-allow-headers': 'origin,type,accepts',
        vary: 'Origin',
      });
      expect(res.headers['access-control-expose-headers']).toBeUndefined();
    });

    // it("preflight_continue enabled")
    it('proxies the preflight upstream with preflight_continue', async () => {
      const res = await send(`${dp.proxyUrl}/status/201`, { method: 'OPTIONS', headers: { host: 'cors3.test', origin: 'a.test', 'access-control-request-method': 'GET' } });
      expect(res.status).toBe(201);
      expect(JSON.parse(res.body)).toEqual({ code: 201 });
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
    });

    // it("replies with request-headers if present in request")
    it('echoes Access-Control-Request-Headers when no headers are configured', async () => {
      const res = await preflight('cors5.test', { origin: 'origin5.test', 'access-control-request-headers': 'origin,accepts' });
      expect(res.headers['access-control-allow-headers']).toBe('origin,accepts');
    });

    // route12 of Kong's setup: methods = ngx.null, several origins
    it('sends every method when methods is null, and only a listed origin', async () => {
      const res = await preflight('cors12.test', { origin: 'allowed-domain.test' });
      expect(res.headers['access-control-allow-methods']).toBe(DEFAULT_METHODS);
      expect(res.headers['access-control-allow-origin']).toBe('allowed-domain.test');
      expect(res.headers['access-control-max-age']).toBe('1728000');
      expect((await preflight('cors12.test', { origin: 'other.test' })).headers['access-control-allow-origin']).toBeUndefined();
    });

    // it("support private-network")
    it('allows a private network when asked and configured', async () => {
      const res = await preflight('cors13.test', { origin: 'allowed-domain.test', 'access-control-request-private-network': 'true' });
      expect(res.headers['access-control-allow-private-network']).toBe('true');
    });

    // "given <origin>, ... will accept/reject" (regex_testcases; the whole table runs in origin-rules.spec.ts)
    it('matches a regex origin on the host, anchored', async () => {
      expect((await preflight('cors-regex.test', { origin: 'http://something.foo.test' })).headers['access-control-allow-origin']).toBe('http://something.foo.test');
      expect((await preflight('cors-regex.test', { origin: 'http://foo.test:80' })).headers['access-control-allow-origin']).toBe('http://foo.test');
      expect((await preflight('cors-regex.test', { origin: 'http://foo.test.evil.test' })).headers['access-control-allow-origin']).toBeUndefined();
    });
  });

  describe('actual requests', () => {
    // it("gives appropriate defaults") (HTTP method: others)
    it('adds Access-Control-Allow-Origin: * and nothing else', async () => {
      const res = await get('cors1.test');
      expect(res.status).toBe(200);
      expect(res.headers['access-control-allow-origin']).toBe('*');
      expect(res.headers['access-control-allow-methods']).toBeUndefined();
      expect(res.headers.vary).toBeUndefined();
    });

    // it("proxies a non-preflight OPTIONS request")
    it('proxies an OPTIONS request that is no preflight', async () => {
      const res = await send(`${dp.proxyUrl}/anything`, { method: 'OPTIONS', headers: { host: 'cors1.test' } });
      expect(JSON.parse(res.body).method).toBe('OPTIONS');
      expect(res.headers['access-control-allow-origin']).toBe('*');
    });

    // it("accepts config options")
    it('sends the configured origin, exposed headers and credentials', async () => {
      const res = await get('cors2.test');
      expect(res.headers).toMatchObject({ 'access-control-allow-origin': 'example.test', 'access-control-expose-headers': 'x-auth-token', 'access-control-allow-credentials': 'true', vary: 'Origin' });
    });

    // it("works even when upstream timeouts")
    it('adds its headers to the gateway error when the upstream fails', async () => {
      const res = await get('cors-timeout.test');
      expect(res.status).toBe(502);
      expect(res.headers).toMatchObject({ 'access-control-allow-origin': 'example.test', 'access-control-expose-headers': 'x-auth-token', vary: 'Origin' });
    });

    // it("works with 40x responses returned by another plugin")
    it('adds its headers to a 401 answered by key-auth', async () => {
      const res = await get('cors4.test');
      expect(res.status).toBe(401);
      expect(res.headers['access-control-allow-origin']).toBe('*');
    });

    // it("sets Vary and don't override existing Vary header")
    it("adds Vary: Origin beside the upstream's Vary", async () => {
      const res = await get('cors2.test', {}, '/vary');
      expect(res.headers.vary).toBe('Accept-Encoding, Origin');
    });

    // it("responds with the requested Origin when config.credentials=true")
    it('answers the request origin when origins is * with credentials', async () => {
      const res = await get('cors5.test', { origin: 'http://www.example.net' });
      expect(res.headers['access-control-allow-origin']).toBe('http://www.example.net');
      expect(res.headers['access-control-allow-credentials']).toBe('true');
    });

    // it("responds with * when origin is explicitly set to * and config.credentials=false")
    it('answers * when origins is * without credentials', async () => {
      const res = await get('cors7.test', { origin: 'http://www.example.net' });
      expect(res.headers['access-control-allow-origin']).toBe('*');
      expect(res.headers['access-control-allow-credentials']).toBeUndefined();
    });

    // it("properly validates flat strings") and it("does not sets CORS origin if origin host is not in origin_domains list")
    it('allows only listed origins, exactly', async () => {
      expect((await get('cors10.test', { origin: 'http://my-site.test' })).headers['access-control-allow-origin']).toBe('http://my-site.test');
      expect((await get('cors10.test', { origin: 'http://bad-guys.test' })).headers['access-control-allow-origin']).toBeUndefined();
      expect((await get('cors10.test', { origin: 'http://my-site.test.bad-guys.test' })).headers['access-control-allow-origin']).toBeUndefined();
    });

    // it("removes upstream ACAO header when no match is found")
    it("removes the upstream's Access-Control-Allow-Origin for an origin not allowed", async () => {
      const res = await get('cors10.test', { origin: 'http://bad-guys.test' }, '/acao');
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
    });

    // it("when allow_origin_absent is disabled with missing Origin header value") / "... is enabled ..."
    it('sends no CORS headers without an Origin when allow_origin_absent is off, and does with it on', async () => {
      const off = await get('cors15.test');
      expect(off.headers['access-control-allow-origin']).toBeUndefined();
      expect(off.headers['access-control-expose-headers']).toBeUndefined();
      const on = await get('cors16.test');
      expect(on.headers['access-control-allow-origin']).toBe('foo.bar');
      expect(on.headers['access-control-expose-headers']).toBe('x-auth-token');
      expect(on.headers['access-control-allow-credentials']).toBe('true');
    });
  });
});
