import type { Route, Service } from '@tollgate/config';
import { compileRouter } from './compile-router';
import { aRequest, aRoute, aService } from './route-fixtures';
import type { RouteRequest } from './router-types';

function routerOf(routes: Route[], services: Service[] = []) {
  return compileRouter(routes, new Map(services.map((s) => [s.id, s])));
}

/** The name of the matching route, or null. */
function routed(routes: Route[], req: Partial<RouteRequest>, services: Service[] = []): string | null {
  return routerOf(routes, services).match(aRequest(req))?.route.name ?? null;
}

describe('compileRouter: matching rules', () => {
  describe('hosts', () => {
    const routes = [
      aRoute({ name: 'exact', hosts: ['API.example.com'] }),
      aRoute({ name: 'leading', hosts: ['*.example.org'] }),
      aRoute({ name: 'trailing', hosts: ['example.*'] }),
      aRoute({ name: 'with-port', hosts: ['ports.test:8443'] }),
    ];

    it('match exact names case-insensitively, whatever the Host port', () => {
      expect(routed(routes, { host: 'api.EXAMPLE.com' })).toBe('exact');
      expect(routed(routes, { host: 'api.example.com:8000' })).toBe('exact');
      expect(routed(routes, { host: 'www.example.com' })).toBeNull();
    });

    it('match leading and trailing wildcards, which stand for at least one character', () => {
      expect(routed(routes, { host: 'a.b.example.org' })).toBe('leading');
      expect(routed(routes, { host: 'example.org' })).toBe('trailing');
      expect(routed(routes, { host: 'example.co.uk' })).toBe('trailing');
      expect(routed(routes, { host: 'example' })).toBeNull();
    });

    it('match host:port on the Host header port, else the local port', () => {
      expect(routed(routes, { host: 'ports.test:8443' })).toBe('with-port');
      expect(routed(routes, { host: 'ports.test', port: 8443 })).toBe('with-port');
      expect(routed(routes, { host: 'ports.test', protocol: 'https' })).toBeNull();
      expect(routed(routes, { host: 'ports.test:8000', port: 8443 })).toBeNull();
    });

    it('report the configured host that matched', () => {
      const router = routerOf(routes);
      expect(router.match(aRequest({ host: 'x.example.org' }))?.matchedHost).toBe('*.example.org');
      expect(router.match(aRequest({ host: 'api.example.com' }))?.matchedHost).toBe('api.example.com');
    });

    it('leave requests without a Host header to host-less routes', () => {
      expect(routed([...routes, aRoute({ name: 'any', paths: ['/'] })], { host: '' })).toBe('any');
    });
  });

  describe('paths', () => {
    it('match prefixes as plain string prefixes', () => {
      const routes = [aRoute({ name: 'foo', paths: ['/foo'] })];
      expect(routed(routes, { path: '/foo' })).toBe('foo');
      expect(routed(routes, { path: '/foo/bar' })).toBe('foo');
      expect(routed(routes, { path: '/foobar' })).toBe('foo');
      expect(routed(routes, { path: '/fo' })).toBeNull();
      expect(routed(routes, { path: '/Foo' })).toBeNull();
    });

    it('keep trailing slashes significant', () => {
      const routes = [aRoute({ name: 'slash', paths: ['/foo/'] })];
      expect(routed(routes, { path: '/foo' })).toBeNull();
      expect(routed(routes, { path: '/foo/' })).toBe('slash');
    });

    it('match regexes anchored at the start and report their captures', () => {
      const router = routerOf([aRoute({ name: 'user', paths: ['~/users/(?<id>\\d+)/(\\w+)'] })]);
      const match = router.match(aRequest({ path: '/users/42/orders/7' }));
      expect(match?.matchedPath).toBe('/users/42/orders');
      expect(match?.captures).toEqual({ 0: '/users/42/orders', 1: '42', 2: 'orders', id: '42' });
      expect(router.match(aRequest({ path: '/v1/users/42/orders' }))).toBeNull();
    });

    it('report no captures for a regex without groups, and the prefix for prefix paths', () => {
      const router = routerOf([aRoute({ paths: ['~/r/\\d+'] }), aRoute({ paths: ['/p'] })]);
      expect(router.match(aRequest({ path: '/r/1' }))).toMatchObject({ captures: null, matchedPath: '/r/1' });
      expect(router.match(aRequest({ path: '/p/x' }))).toMatchObject({ captures: null, matchedPath: '/p' });
    });

    it('try regexes without a literal prefix on every path', () => {
      expect(routed([aRoute({ name: 'any-ext', paths: ['~.*\\.json$'] })], { path: '/a/b.json' })).toBe('any-ext');
      expect(routed([aRoute({ name: 'alt', paths: ['~/(a|b)/x'] })], { path: '/b/x' })).toBe('alt');
    });

    it('match the normalised path: decoded unreserved characters, resolved dot segments', () => {
      const routes = [aRoute({ name: 'admin', paths: ['/admin'] }), aRoute({ name: 'public', paths: ['/public'] })];
      expect(routed(routes, { path: '/public/%2e%2e/admin/users' })).toBe('admin');
      expect(routed(routes, { path: '/public/../admin' })).toBe('admin');
      expect(routed(routes, { path: '/%61dmin' })).toBe('admin');
      expect(routed(routes, { path: '/public/./x' })).toBe('public');
    });

    it('keep %2F encoded, so it never acts as a separator', () => {
      const routes = [aRoute({ name: 'ab', paths: ['/a/b'] })];
      expect(routed(routes, { path: '/a%2Fb' })).toBeNull();
      expect(routed(routes, { path: '/a/b%2Fc' })).toBe('ab');
    });

    it('normalise route prefixes the same way', () => {
      expect(routed([aRoute({ name: 'n', paths: ['/a/./b/../c%7E'] })], { path: '/a/c~/d' })).toBe('n');
    });

    it('ignore a query string', () => {
      const router = routerOf([aRoute({ name: 'q', paths: ['/q'] })]);
      expect(router.match(aRequest({ path: '/q?x=/../admin' }))?.upstreamPath).toBe('/');
      expect(router.match(aRequest({ path: '/other?/q' }))).toBeNull();
    });
  });

  describe('methods', () => {
    it('match exactly', () => {
      const routes = [aRoute({ name: 'write', methods: ['POST', 'PUT'] })];
      expect(routed(routes, { method: 'PUT' })).toBe('write');
      expect(routed(routes, { method: 'GET' })).toBeNull();
      expect(routed(routes, { method: 'PURGE' })).toBeNull();
    });

    it('match methods outside the standard set by name', () => {
      const routes = [aRoute({ name: 'purge', methods: ['PURGE'], paths: ['/'] }), aRoute({ name: 'any', paths: ['/'] })];
      expect(routed(routes, { method: 'PURGE' })).toBe('purge');
      expect(routed(routes, { method: 'BAN' })).toBe('any');
      expect(routed(routes, { method: 'GET' })).toBe('any');
    });
  });

  describe('headers', () => {
    const routes = [aRoute({ name: 'v2', paths: ['/'], headers: { 'X-Version': ['v2', 'V3'], 'x-env': ['~*^(stage|prod)-\\d+$'] } })];

    it('need every header, any listed value, compared without case', () => {
      expect(routed(routes, { headers: { 'x-version': 'V2', 'x-env': 'prod-1' } })).toBe('v2');
      expect(routed(routes, { headers: { 'x-version': 'v3', 'x-env': 'STAGE-22' } })).toBe('v2');
      expect(routed(routes, { headers: { 'x-version': 'v4', 'x-env': 'prod-1' } })).toBeNull();
      expect(routed(routes, { headers: { 'x-version': 'v2' } })).toBeNull();
      expect(routed(routes, { headers: { 'x-version': 'v2', 'x-env': 'dev-1' } })).toBeNull();
    });

    it('accept any of several values of one header', () => {
      expect(routed(routes, { headers: { 'x-version': ['v9', 'v2'], 'x-env': ['x', 'prod-3'] } })).toBe('v2');
      expect(routed(routes, { headers: { 'x-version': ['v9'], 'x-env': 'prod-3' } })).toBeNull();
    });

    it('reject a route whose header regex does not compile', () => {
      const router = routerOf([aRoute({ paths: ['/'], headers: { x: ['~*('] } })]);
      expect(router.size).toBe(0);
      expect(router.rejected).toHaveLength(1);
    });
  });

  describe('snis', () => {
    const routes = [aRoute({ name: 'tls', protocols: ['https'], snis: ['api.test', '*.tls.test'] })];

    it('match on https', () => {
      expect(routed(routes, { protocol: 'https', sni: 'API.test' })).toBe('tls');
      expect(routed(routes, { protocol: 'https', sni: 'x.tls.test' })).toBe('tls');
      expect(routed(routes, { protocol: 'https', sni: 'other.test' })).toBeNull();
      expect(routed(routes, { protocol: 'https' })).toBeNull();
    });

    it('do not apply over plain http, as in Kong', () => {
      const router = routerOf([aRoute({ name: 'sni', snis: ['api.test'], paths: ['/s'] })]);
      expect(router.match(aRequest({ path: '/s', protocol: 'http' }))?.route.name).toBe('sni');
    });
  });

  describe('protocols', () => {
    const httpsOnly = aRoute({ name: 'secure', protocols: ['https'], paths: ['/s'], https_redirect_status_code: 301 });

    it('match an https-only route over http, flagged for the https redirect', () => {
      const router = routerOf([httpsOnly]);
      expect(router.match(aRequest({ path: '/s', protocol: 'http' }))).toMatchObject({ route: httpsOnly, httpsRedirect: true });
      expect(router.match(aRequest({ path: '/s', protocol: 'https' }))).toMatchObject({ route: httpsOnly, httpsRedirect: false });
    });

    it('let https requests use http-only routes, as Kong does', () => {
      expect(routerOf([aRoute({ protocols: ['http'], paths: ['/'] })]).match(aRequest({ protocol: 'https' }))?.httpsRedirect).toBe(false);
    });

    it('treat ws and wss like http and https', () => {
      const router = routerOf([aRoute({ protocols: ['wss'], paths: ['/ws'] })]);
      expect(router.match(aRequest({ path: '/ws', protocol: 'http' }))?.httpsRedirect).toBe(true);
      expect(router.match(aRequest({ path: '/ws', protocol: 'https' }))?.httpsRedirect).toBe(false);
    });

    it('leave stream-only routes out', () => {
      const router = routerOf([aRoute({ protocols: ['tcp'], snis: ['a.test'] }), aRoute({ paths: ['/'] })]);
      expect(router.size).toBe(1);
    });
  });

  describe('services', () => {
    it('come with the match; routes without one still match', () => {
      const service = aService({ path: '/svc' });
      const router = routerOf([aRoute({ name: 'with', paths: ['/with'], service: { id: service.id } }), aRoute({ name: 'without', paths: ['/without'] })], [service]);
      expect(router.match(aRequest({ path: '/with/x' }))).toMatchObject({ service, upstreamPath: '/svc/x' });
      expect(router.match(aRequest({ path: '/without/x' }))).toMatchObject({ service: null, upstreamPath: '/x' });
    });

    it('keep routes of disabled services from matching', () => {
      const disabled = aService({ enabled: false });
      const routes = [aRoute({ name: 'off', paths: ['/a/b'], service: { id: disabled.id } }), aRoute({ name: 'fallback', paths: ['/a'] })];
      expect(routed(routes, { path: '/a/b' }, [disabled])).toBe('fallback');
      expect(routerOf(routes, [disabled]).size).toBe(1);
    });
  });

  describe('strip_path and path_handling', () => {
    const svc = aService({ path: '/svc' });
    const svcSlash = aService({ path: '/svc/' });
    const root = aService({ path: null });
    const route = (fields: Partial<Route>, service: Service) => aRoute({ paths: ['/api'], ...fields, service: { id: service.id } });
    const upstream = (r: Route, path: string) => routerOf([r], [svc, svcSlash, root]).match(aRequest({ path }))?.upstreamPath;

    it.each([
      [true, 'v0', root, '/api/users', '/users'],
      [true, 'v0', svc, '/api/users', '/svc/users'],
      [true, 'v0', svcSlash, '/api/users', '/svc/users'],
      [true, 'v0', svc, '/api', '/svc'],
      [true, 'v0', svc, '/api/', '/svc/'],
      [true, 'v0', svcSlash, '/api', '/svc'],
      [false, 'v0', root, '/api/users', '/api/users'],
      [false, 'v0', svc, '/api/users', '/svc/api/users'],
      [false, 'v0', svcSlash, '/api/users', '/svc/api/users'],
      [true, 'v1', root, '/api/users', '/users'],
      [true, 'v1', svc, '/apiusers', '/svcusers'],
      [true, 'v1', svcSlash, '/api/users', '/svc/users'],
      [false, 'v1', svc, '/api/users', '/svcapi/users'],
      [false, 'v1', svcSlash, '/api/users', '/svc/api/users'],
    ] as const)('strip_path %s, %s, service path %o: %s -> %s', (strip, handling, service, path, expected) => {
      expect(upstream(route({ strip_path: strip, path_handling: handling }, service), path)).toBe(expected);
    });

    it('strip what a regex matched', () => {
      expect(upstream(route({ paths: ['~/users/\\d+'] }, svc), '/users/42/orders')).toBe('/svc/orders');
      expect(upstream(route({ paths: ['~/users/\\d+'], strip_path: false }, svc), '/users/42/orders')).toBe('/svc/users/42/orders');
    });

    it('send the normalised path upstream', () => {
      expect(upstream(route({}, svc), '/api/x/%2e%2e/%7Ey')).toBe('/svc/~y');
    });
  });

  describe('rejected input', () => {
    it('drops a regex path JavaScript cannot compile and keeps the route’s other paths', () => {
      const router = routerOf([aRoute({ name: 'r', paths: ['~/a/(?<x', '/b'] })]);
      expect(router.rejected).toEqual([expect.objectContaining({ path: '~/a/(?<x' })]);
      expect(router.match(aRequest({ path: '/b' }))?.route.name).toBe('r');
      expect(router.match(aRequest({ path: '/a/1' }))).toBeNull();
    });

    it('drops a route that sets no matching field rather than match everything', () => {
      const router = routerOf([aRoute({ name: 'empty' })]);
      expect(router.size).toBe(0);
      expect(router.match(aRequest())).toBeNull();
    });
  });
});

describe("compileRouter: Kong's priorities", () => {
  it('prefers a route with a host to the same path without one', () => {
    const routes = [aRoute({ name: 'no-host', paths: ['/a'] }), aRoute({ name: 'host', hosts: ['h.test'], paths: ['/a'] })];
    expect(routed(routes, { host: 'h.test', path: '/a' })).toBe('host');
    expect(routed(routes, { host: 'other.test', path: '/a' })).toBe('no-host');
  });

  it('prefers an exact host to a wildcard, whichever is older', () => {
    const routes = [aRoute({ name: 'wildcard', hosts: ['*.h.test'], paths: ['/'] }), aRoute({ name: 'exact', hosts: ['api.h.test'], paths: ['/'] })];
    expect(routed(routes, { host: 'api.h.test' })).toBe('exact');
    expect(routed(routes, { host: 'www.h.test' })).toBe('wildcard');
  });

  it('orders regex paths by regex_priority, then the highest route id, and before prefix paths', () => {
    const routes = [
      aRoute({ name: 'long-prefix', paths: ['/users/42/orders'] }),
      aRoute({ name: 'lower-id-regex', paths: ['~/users/\\d+'] }),
      aRoute({ name: 'higher-id-regex', paths: ['~/users/\\d+'] }),
      aRoute({ name: 'urgent-regex', paths: ['~/users/4\\d'], regex_priority: 10 }),
    ];
    expect(routed(routes, { path: '/users/42/orders' })).toBe('urgent-regex');
    expect(routed(routes, { path: '/users/7/orders' })).toBe('higher-id-regex');
    expect(routed(routes.slice(0, 2), { path: '/users/42/orders' })).toBe('lower-id-regex');
    expect(routed(routes.slice(0, 1), { path: '/users/42/orders' })).toBe('long-prefix');
  });

  it('picks the longest prefix among prefixes', () => {
    const routes = [aRoute({ name: 'short', paths: ['/a'] }), aRoute({ name: 'long', paths: ['/a/b'] }), aRoute({ name: 'root', paths: ['/'] })];
    expect(routed(routes, { path: '/a/b/c' })).toBe('long');
    expect(routed(routes, { path: '/a/c' })).toBe('short');
    expect(routed(routes, { path: '/z' })).toBe('root');
  });

  it('prefers methods + path to a longer path alone, and falls through when the method differs', () => {
    const routes = [aRoute({ name: 'path', paths: ['/a/b/c'] }), aRoute({ name: 'get', methods: ['GET'], paths: ['/a'] })];
    expect(routed(routes, { method: 'GET', path: '/a/b/c' })).toBe('get');
    expect(routed(routes, { method: 'POST', path: '/a/b/c' })).toBe('path');
    expect(routed(routes, { method: 'POST', path: '/a/x' })).toBeNull();
  });

  it('prefers more headers, and headers + path to path alone', () => {
    const routes = [
      aRoute({ name: 'path', paths: ['/'] }),
      aRoute({ name: 'one-header', paths: ['/'], headers: { 'x-a': ['1'] } }),
      aRoute({ name: 'two-headers', paths: ['/'], headers: { 'x-a': ['1'], 'x-b': ['1'] } }),
    ];
    expect(routed(routes, { headers: { 'x-a': '1', 'x-b': '1' } })).toBe('two-headers');
    expect(routed(routes, { headers: { 'x-a': '1' } })).toBe('one-header');
    expect(routed(routes, { headers: {} })).toBe('path');
  });

  it('prefers an sni route on https', () => {
    const routes = [aRoute({ name: 'path', paths: ['/'] }), aRoute({ name: 'sni', protocols: ['https'], paths: ['/'], snis: ['a.test'] })];
    expect(routed(routes, { protocol: 'https', sni: 'a.test' })).toBe('sni');
    expect(routed(routes, { protocol: 'https', sni: 'b.test' })).toBe('path');
  });

  it('prefers the route defining more fields over a longer path', () => {
    const routes = [aRoute({ name: 'host-only', hosts: ['h.test'] }), aRoute({ name: 'host+path', hosts: ['h.test'], paths: ['/'] })];
    expect(routed(routes, { host: 'h.test', path: '/x' })).toBe('host+path');
  });

  it('breaks remaining ties by the highest route id, as atc-router does in Kong 3, not by created_at', () => {
    const older = aRoute({ name: 'older', paths: ['/t'], created_at: 100, id: '00000000-0000-4000-8000-000000000000' });
    const newer = aRoute({ name: 'newer', paths: ['/t'], created_at: 200, id: 'ffffffff-0000-4000-8000-000000000000' });
    expect(routed([older, newer], { path: '/t' })).toBe('newer');
  });

  it('lets each path of a route compete on its own', () => {
    const routes = [aRoute({ name: 'multi', paths: ['/a', '/a/b/c'] }), aRoute({ name: 'mid', paths: ['/a/b'] })];
    expect(routed(routes, { path: '/a/b/c/d' })).toBe('multi');
    expect(routed(routes, { path: '/a/b/x' })).toBe('mid');
    expect(routed(routes, { path: '/a/x' })).toBe('multi');
  });

  it('merges host buckets and host-less routes in one priority order', () => {
    const routes = [
      aRoute({ name: 'wild-long', hosts: ['*.h.test'], paths: ['/a/b'] }),
      aRoute({ name: 'exact-short', hosts: ['api.h.test'], paths: ['/a'] }),
      aRoute({ name: 'any-longest', paths: ['/a/b/c'] }),
      aRoute({ name: 'both', hosts: ['api.h.test', '*.h.test'], methods: ['DELETE'], paths: ['/'] }),
    ];
    expect(routed(routes, { host: 'api.h.test', path: '/a/b/c' })).toBe('exact-short');
    expect(routed(routes, { host: 'www.h.test', path: '/a/b/c' })).toBe('wild-long');
    expect(routed(routes, { host: 'www.h.test', path: '/a/b/c', method: 'DELETE' })).toBe('both');
    expect(routed(routes, { host: 'other.test', path: '/a/b/c' })).toBe('any-longest');
  });
});
