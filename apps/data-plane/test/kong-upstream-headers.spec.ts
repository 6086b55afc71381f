import type { Service } from '@tollgate/config';
import type { RunningDataPlane } from '../src/data-plane';
import { readHeaderPolicy } from '../src/proxy/header-policy';
import { readTrustedProxies } from '../src/proxy/trusted-proxies';
import { plugin, route, service, snapshot } from './support/config-fixtures';
import { startEchoUpstream, type Echo, type EchoUpstream } from './support/echo-upstream';
import { json, send, sendRaw, startTestDataPlane, type Reply } from './support/test-data-plane';

/**
 * Cases translated from Kong's spec/02-integration/05-proxy/03-upstream_headers_spec.lua (default,
 * trusted, non-trusted and recursive configurations), 32-query-params_spec.lua and
 * 13-error_handlers_spec.lua, against a real data plane and a real
 * upstream; each `it` names the Kong case.
 */
describe('spec/02-integration/05-proxy/03-upstream_headers_spec.lua', () => {
  let upstream: EchoUpstream;
  let dp: RunningDataPlane;
  let port: string;

  beforeAll(async () => {
    upstream = await startEchoUpstream();
    dp = await startTestDataPlane();
    port = new URL(dp.proxyUrl).port;
    const svc: Service = service({ host: '127.0.0.1', port: upstream.port });
    const routes = [
      route(svc, { protocols: ['http'], hosts: ['headers-inspect.test'] }),
      route(svc, { protocols: ['http'], hosts: ['preserved.test'], preserve_host: true }),
      route(svc, { protocols: ['http'], paths: ['/foo'], strip_path: true }),
      route(svc, { protocols: ['http'], paths: ['/status/200'], strip_path: false }),
      route(svc, { protocols: ['http'], paths: ['/'], strip_path: true }),
    ];
    const proxyAuthorization = route(svc, { protocols: ['http'], paths: ['/proxy-authorization'], strip_path: true });
    const setsIt = { add: { headers: ['Proxy-Authorization:Basic ZGVtbzp0ZXN0'] }, replace: { headers: ['Proxy-Authorization:Basic ZGVtbzp0ZXN0'] } };
    const plugins = [plugin('request-transformer', setsIt, { route: proxyAuthorization })];
    expect(await dp.applySnapshot(snapshot({ services: [svc], routes: [...routes, proxyAuthorization], plugins }))).toEqual({ ok: true });
  });

  afterAll(async () => {
    await dp.close();
    await upstream.close();
  });

  const upstreamHeaders = async (headers: Record<string, string>, path = '/'): Promise<Echo['headers']> => {
    const reply = await send(`${dp.proxyUrl}${path}`, { headers });
    expect(reply.status).toBe(200);
    return json<Echo>(reply).headers;
  };

  describe('hop-by-hop headers', () => {
    it('are removed from request', async () => {
      const headers = await upstreamHeaders({
        Connection: 'X-Foo, X-Bar',
        Host: 'headers-inspect.test',
        'Keep-Alive': 'timeout=5, max=1000',
        Proxy: 'Remove-Me',
        'Proxy-Connection': 'close',
        'Proxy-Authenticate': 'Basic',
        'Proxy-Authorization': 'Basic YWxhZGRpbjpvcGVuc2VzYW1l',
        TE: 'trailers, deflate;q=0.5',
        Upgrade: 'example/1, foo/2',
        'X-Foo': 'Remove-Me',
        'X-Bar': 'Remove-Me',
        'X-Foo-Bar': 'Keep-Me',
        Close: 'Keep-Me',
      });
      for (const name of ['keep-alive', 'proxy', 'proxy-connection', 'upgrade', 'x-foo', 'x-bar']) expect([name, headers[name]]).toEqual([name, undefined]);
      expect(headers['proxy-authenticate']).toBe('Basic');
      expect(headers['proxy-authorization']).toBe('Basic YWxhZGRpbjpvcGVuc2VzYW1l');
      expect(headers.te).toBe('trailers'); // trailers are kept
      expect(headers['x-foo-bar']).toBe('Keep-Me');
      expect(headers.close).toBe('Keep-Me');
    });

    it('are removed from response', async () => {
      const reply = await send(`${dp.proxyUrl}/kong-hop-by-hop`, { headers: { Host: 'headers-inspect.test' } });
      expect(reply.status).toBe(200);
      expect(reply.headers['keep-alive']).toBeUndefined();
      expect(reply.headers.trailer).toBeUndefined();
      expect(reply.headers.upgrade).toBeUndefined();
      expect(reply.headers['transfer-encoding']).toBe('chunked');
    });

    it('keeps trailer when requested', async () => {
      const reply = await send(`${dp.proxyUrl}/kong-hop-by-hop`, { headers: { Host: 'headers-inspect.test', TE: 'trailers' } });
      expect(reply.headers.trailer).toBe('Expires');
    });

    it('keeps proxy-authorization header when a plugin specifies it', async () => {
      expect((await upstreamHeaders({ 'Proxy-Authorization': 'Basic YWxhZGRpbjpvcGVuc2VzYW1l' }, '/proxy-authorization'))['proxy-authorization']).toBe('Basic ZGVtbzp0ZXN0');
      expect((await upstreamHeaders({}, '/proxy-authorization'))['proxy-authorization']).toBe('Basic ZGVtbzp0ZXN0');
    });

    it('keeps proxy-authorization header if plugin specifies same value as in requests', async () => {
      expect((await upstreamHeaders({ 'Proxy-Authorization': 'Basic ZGVtbzp0ZXN0' }, '/proxy-authorization'))['proxy-authorization']).toBe('Basic ZGVtbzp0ZXN0');
    });
  });

  describe('(using the default configuration values)', () => {
    it('X-Real-IP should be added if not present in request, replaced if present', async () => {
      expect((await upstreamHeaders({ Host: 'headers-inspect.test' }))['x-real-ip']).toBe('127.0.0.1');
      expect((await upstreamHeaders({ Host: 'headers-inspect.test', 'X-Real-IP': '10.0.0.1' }))['x-real-ip']).toBe('127.0.0.1');
    });

    it('X-Forwarded-For should be added if not present in request, appended if present', async () => {
      expect((await upstreamHeaders({ Host: 'headers-inspect.test' }))['x-forwarded-for']).toBe('127.0.0.1');
      expect((await upstreamHeaders({ Host: 'headers-inspect.test', 'X-Forwarded-For': '10.0.0.1' }))['x-forwarded-for']).toBe('10.0.0.1, 127.0.0.1');
    });

    it('X-Forwarded-Proto, -Host, -Port, -Path should be added if not present in request, replaced if present', async () => {
      const added = await upstreamHeaders({ Host: 'headers-inspect.test' });
      expect(added).toMatchObject({ 'x-forwarded-proto': 'http', 'x-forwarded-host': 'headers-inspect.test', 'x-forwarded-port': port, 'x-forwarded-path': '/' });
      const replaced = await upstreamHeaders({
        Host: 'headers-inspect.test',
        'X-Forwarded-Proto': 'https',
        'X-Forwarded-Host': 'example.test',
        'X-Forwarded-Port': '80',
        'X-Forwarded-Path': '/replaced',
      });
      expect(replaced).toMatchObject({ 'x-forwarded-proto': 'http', 'x-forwarded-host': 'headers-inspect.test', 'x-forwarded-port': port, 'x-forwarded-path': '/' });
    });

    describe('X-Forwarded-Prefix', () => {
      it('should be added if path was stripped', async () => {
        expect((await upstreamHeaders({}, '/foo/status/200'))['x-forwarded-prefix']).toBe('/foo');
      });

      it('should be replaced if present in request and path was stripped', async () => {
        expect((await upstreamHeaders({ 'X-Forwarded-Prefix': '/replaced' }, '/foo'))['x-forwarded-prefix']).toBe('/foo');
      });

      it('should not be added if path was not stripped', async () => {
        expect((await upstreamHeaders({}, '/status/200'))['x-forwarded-prefix']).toBeUndefined();
      });

      it('should not be added if / was stripped', async () => {
        expect((await upstreamHeaders({}, '/'))['x-forwarded-prefix']).toBeUndefined();
      });
    });

    it('with the downstream host preserved: should be added if present in request while preserving the downstream host', async () => {
      const headers = await upstreamHeaders({
        Host: 'preserved.test',
        'X-Real-IP': '10.0.0.1',
        'X-Forwarded-For': '10.0.0.1',
        'X-Forwarded-Proto': 'https',
        'X-Forwarded-Host': 'example.test',
        'X-Forwarded-Port': '80',
      });
      expect(headers).toMatchObject({
        host: 'preserved.test',
        'x-real-ip': '127.0.0.1',
        'x-forwarded-for': '10.0.0.1, 127.0.0.1',
        'x-forwarded-proto': 'http',
        'x-forwarded-host': 'preserved.test',
        'x-forwarded-port': port,
        'x-forwarded-path': '/',
      });
    });

    it('with the downstream host discarded: should be added if not present in request while discarding the downstream host', async () => {
      const headers = await upstreamHeaders({ Host: 'headers-inspect.test' });
      expect(headers).toMatchObject({ host: `127.0.0.1:${upstream.port}`, 'x-forwarded-host': 'headers-inspect.test', 'x-forwarded-port': port });
    });
  });
});

/** The same upstream and routes, on a data plane started with Kong's trusted_ips settings. */
describe.each([
  ['(using the trusted configuration values)', '127.0.0.1', undefined, undefined],
  ['(using the non-trusted configuration values)', '10.0.0.1', undefined, undefined],
  ['(using the recursive trusted configuration values)', '127.0.0.1,172.16.0.1,192.168.0.1', 'X-Forwarded-For', 'on'],
])('spec/02-integration/05-proxy/03-upstream_headers_spec.lua %s', (name, trustedIps, realIpHeader, recursive) => {
  let upstream: EchoUpstream;
  let dp: RunningDataPlane;
  let port: string;
  const trusted = name.startsWith('(using the trusted');

  beforeAll(async () => {
    upstream = await startEchoUpstream();
    dp = await startTestDataPlane({ headers: readHeaderPolicy(undefined, undefined, readTrustedProxies(trustedIps, realIpHeader, recursive)) });
    port = new URL(dp.proxyUrl).port;
    const svc = service({ host: '127.0.0.1', port: upstream.port });
    const routes = [
      route(svc, { protocols: ['http'], hosts: ['headers-inspect.test'] }),
      route(svc, { protocols: ['http'], paths: ['/foo'], strip_path: true }),
      route(svc, { protocols: ['http'], paths: ['/status/200'], strip_path: false }),
      route(svc, { protocols: ['https'], paths: ['/secure'] }),
    ];
    expect(await dp.applySnapshot(snapshot({ services: [svc], routes }))).toEqual({ ok: true });
  });

  afterAll(async () => {
    await dp.close();
    await upstream.close();
  });

  const upstreamHeaders = async (headers: Record<string, string>, path = '/'): Promise<Echo['headers']> => {
    // As in Kong's cases: the host-routed inspection route for `/`, path routes for the rest.
    const reply = await send(`${dp.proxyUrl}${path}`, { headers: path === '/' ? { Host: 'headers-inspect.test', ...headers } : headers });
    expect(reply.status).toBe(200);
    return json<Echo>(reply).headers;
  };

  if (recursive === 'on') {
    it('X-Real-IP and X-Forwarded-For: should be added if not present in request', async () => {
      expect(await upstreamHeaders({})).toMatchObject({ 'x-real-ip': '127.0.0.1', 'x-forwarded-for': '127.0.0.1' });
    });

    it('X-Real-IP and X-Forwarded-For: should be changed according to rules if present in request', async () => {
      const xff = '127.0.0.1, 10.0.0.1, 192.168.0.1, 127.0.0.1, 172.16.0.1';
      expect(await upstreamHeaders({ 'X-Forwarded-For': xff, 'X-Real-IP': '10.0.0.2' })).toMatchObject({ 'x-real-ip': '10.0.0.1', 'x-forwarded-for': `${xff}, 127.0.0.1` });
    });

    it('X-Forwarded-Port: should be forwarded even if X-Forwarded-For header has a port in it', async () => {
      const xff = '127.0.0.1:14, 10.0.0.1:15, 192.168.0.1:16, 127.0.0.1:17, 172.16.0.1:18';
      const headers = await upstreamHeaders({ 'X-Forwarded-For': xff, 'X-Real-IP': '10.0.0.2', 'X-Forwarded-Port': '14' });
      expect(headers).toMatchObject({ 'x-real-ip': '10.0.0.1', 'x-forwarded-for': `${xff}, 127.0.0.1`, 'x-forwarded-port': '14' });
    });
    return;
  }

  it(trusted ? 'X-Real-IP: should be forwarded if present in request' : 'X-Real-IP: should be replaced if present in request', async () => {
    expect((await upstreamHeaders({}))['x-real-ip']).toBe('127.0.0.1');
    expect((await upstreamHeaders({ 'X-Real-IP': '10.0.0.1' }))['x-real-ip']).toBe(trusted ? '10.0.0.1' : '127.0.0.1');
  });

  it('X-Forwarded-For: should be added if not present in request, appended if present', async () => {
    expect((await upstreamHeaders({}))['x-forwarded-for']).toBe('127.0.0.1');
    expect((await upstreamHeaders({ 'X-Forwarded-For': '10.0.0.1' }))['x-forwarded-for']).toBe('10.0.0.1, 127.0.0.1');
  });

  it(`X-Forwarded-Proto, -Host, -Port, -Path: should be ${trusted ? 'forwarded' : 'replaced'} if present in request`, async () => {
    const sent = { 'X-Forwarded-Proto': 'https', 'X-Forwarded-Host': 'example.test', 'X-Forwarded-Port': '80', 'X-Forwarded-Path': '/original-path' };
    expect(await upstreamHeaders(sent)).toMatchObject(
      trusted
        ? { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'example.test', 'x-forwarded-port': '80', 'x-forwarded-path': '/original-path' }
        : { 'x-forwarded-proto': 'http', 'x-forwarded-host': 'headers-inspect.test', 'x-forwarded-port': port, 'x-forwarded-path': '/' },
    );
  });

  it(trusted ? 'X-Forwarded-Prefix: should be preserved even if path was stripped' : 'X-Forwarded-Prefix: should be replaced if present in request and path was stripped', async () => {
    expect((await upstreamHeaders({ 'X-Forwarded-Prefix': '/preserved' }, '/foo/status/200'))['x-forwarded-prefix']).toBe(trusted ? '/preserved' : '/foo');
    expect((await upstreamHeaders({ 'X-Forwarded-Prefix': '/preserved' }, '/status/200'))['x-forwarded-prefix']).toBe(trusted ? '/preserved' : undefined);
  });

  // kong/runloop/handler.lua: the https-only check reads forwarded_proto, the trusted proxy's.
  it('lets a trusted proxy that terminated TLS reach an https-only route; an untrusted client gets 426', async () => {
    const reply = await send(`${dp.proxyUrl}/secure`, { headers: { 'X-Forwarded-Proto': 'https' } });
    expect(reply.status).toBe(trusted ? 200 : 426);
  });
});

describe("32-query-params_spec.lua, and Kong's runloop on paths and methods: empty query strings, merged slashes, TRACE", () => {
  let upstream: EchoUpstream;
  let dp: RunningDataPlane;

  beforeAll(async () => {
    upstream = await startEchoUpstream();
    dp = await startTestDataPlane();
    const svc = service({ host: '127.0.0.1', port: upstream.port });
    const plain = route(svc, { paths: ['/x'], strip_path: false });
    const byHeader = route(svc, { paths: ['/h'], headers: { 'x-version': ['v2'] } });
    const setQueryArg = route(svc, { paths: ['/set-query-arg'], strip_path: false });
    const plugins = [plugin('request-transformer', { add: { querystring: ['dummy:1'] } }, { route: setQueryArg })];
    expect(await dp.applySnapshot(snapshot({ services: [svc], routes: [plain, byHeader, setQueryArg], plugins }))).toEqual({ ok: true });
  });

  afterAll(async () => {
    await dp.close();
    await upstream.close();
  });

  const upstreamUrl = async (path: string): Promise<string> => {
    const raw = await sendRaw(dp.proxyUrl, `GET ${path} HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n`);
    return (JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4)) as Echo).url;
  };

  // spec/02-integration/05-proxy/32-query-params_spec.lua
  it('does proxy set query args if URI does not contain arguments', async () => {
    expect(await upstreamUrl('/set-query-arg?')).toBe('/set-query-arg?dummy=1');
  });

  // Kong's runloop (handler.lua, access `after`): "/foo?" keeps its empty query string upstream.
  it('keeps the ? of an empty query string, and adds none when there was none', async () => {
    expect(await upstreamUrl('/x?')).toBe('/x?');
    expect(await upstreamUrl('/x')).toBe('/x');
    expect(await upstreamUrl('/x?a=1')).toBe('/x?a=1');
  });

  it('merges // in the path before routing and proxying (nginx merge_slashes)', async () => {
    expect(await upstreamUrl('//x//y')).toBe('/x/y');
  });

  // 08-router_spec.lua "single [headers] value" (a header given several values), through the proxy.
  it('matches a route header on any value of a header sent twice, not on a comma list sent once', async () => {
    const status = async (headerLines: string) =>
      (await sendRaw(dp.proxyUrl, `GET /h HTTP/1.1\r\nHost: a\r\n${headerLines}Connection: close\r\n\r\n`)).slice(9, 12);
    expect(await status('X-Version: v1\r\nX-Version: v2\r\n')).toBe('200');
    expect(await status('X-Version: v2\r\n')).toBe('200');
    expect(await status('X-Version: v1, v2\r\n')).toBe('404');
    expect(await status('X-Version: v1\r\n')).toBe('404');
  });

  // spec/02-integration/05-proxy/13-error_handlers_spec.lua
  it('Request For Routers With Trace Method Not Allowed', async () => {
    const reply: Reply = await send(`${dp.proxyUrl}/`, { method: 'TRACE' });
    expect(reply.status).toBe(405);
    expect(json(reply)).toEqual({ message: 'Method not allowed' });
    expect(reply.headers.server).toMatch(/^tollgate\//);
  });
});
