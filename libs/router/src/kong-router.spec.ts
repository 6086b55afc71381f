import type { Route } from '@tollgate/config';
import { compileRouter } from './compile-router';
import { aRequest, aRoute, aService } from './route-fixtures';
import type { RouteMatch } from './router-types';

/**
 * Cases translated from Kong's spec/01-unit/08-router_spec.lua, flavor traditional_compatible
 * (each `it` names the Kong case). Kong's `select(method, uri, host, ..., headers)` is a match on
 * the given request; `exec()` also normalises the path, which our match always does.
 */
const KONG = 'spec/01-unit/08-router_spec.lua';
const service = aService({ path: null });

type Headers = Record<string, string | string[]>;

function routerOf(routes: Route[]) {
  return compileRouter(routes, new Map([[service.id, service]]));
}

function route(fields: Partial<Route>): Route {
  return aRoute({ service: { id: service.id }, ...fields });
}

function select(routes: Route[], method: string, path: string, host = '', headers: Headers = {}): RouteMatch | null {
  // Kong's unit cases hand the router each header's values apart, as our proxy does.
  const distinct = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, Array.isArray(v) ? v : [v]]));
  return routerOf(routes).match(aRequest({ method, path, host, headers: distinct, headersDistinct: distinct }));
}

describe(`${KONG}: select()`, () => {
  const useCase = [
    route({ name: '1 host', hosts: ['domain-1.org', 'domain-2.org'] }),
    route({ name: '2 method', methods: ['TRACE'] }),
    route({ name: '3 uri', paths: ['/my-route'] }),
    route({ name: '4 host + uri', paths: ['/route-4'], hosts: ['domain-1.org', 'domain-2.org'] }),
    route({ name: '5 host + method', hosts: ['domain-1.org', 'domain-2.org'], methods: ['POST', 'PUT', 'PATCH'] }),
    route({ name: '6 uri + method', methods: ['POST', 'PUT', 'PATCH'], paths: ['/route-6'] }),
    route({ name: '7 host + uri + method', hosts: ['domain-with-uri-1.org', 'domain-with-uri-2.org'], methods: ['POST', 'PUT', 'PATCH'], paths: ['/my-route-uri'] }),
    aRoute({ name: '8 serviceless', paths: ['/serviceless'] }),
    route({ name: '9 headers single', headers: { location: ['my-location-1', 'my-location-2'] } }),
    route({ name: '10 headers multiple', headers: { location: ['my-location-1'], version: ['v1', 'v2'] } }),
    route({ name: '11 headers + uri', headers: { location: ['my-location-1', 'my-location-2'] }, paths: ['/headers-uri'] }),
    route({
      name: '12 host + headers + uri + method',
      hosts: ['domain-with-headers-1.org', 'domain-with-headers-2.org'],
      headers: { location: ['my-location-1', 'my-location-2'] },
      methods: ['POST', 'PUT', 'PATCH'],
      paths: ['/headers-host-uri-method'],
    }),
    route({ name: '13 host + port', hosts: ['domain-1.org:321', 'domain-2.org'] }),
    route({ name: '14 no any-port route', hosts: ['domain-3.org:321'] }),
    route({ name: '15 headers regex', headers: { user_agent: ['~*windows|linux|os\\s+x\\s*[\\d\\._]+|solaris|bsd'] } }),
  ];
  const name = (m: RouteMatch | null) => m?.route.name ?? null;

  it('[host], [host] ignores default port', () => {
    expect(name(select(useCase, 'GET', '/', 'domain-1.org'))).toBe('1 host');
    expect(name(select(useCase, 'GET', '/', 'domain-1.org:80'))).toBe('1 host');
  });

  // Routes 1 and 13 tie on priority; atc-router tries the higher UUID (Kong's ...8113) first.
  it('[host] matches specific port, also on port-only route; fails just because of port on port-only route', () => {
    expect(name(select(useCase, 'GET', '/', 'domain-1.org:321'))).toBe('13 host + port');
    expect(name(select(useCase, 'GET', '/', 'domain-3.org:321'))).toBe('14 no any-port route');
    expect(select(useCase, 'GET', '/', 'domain-3.org:123')).toBeNull();
  });

  it('[uri], [uri + empty host], [method]', () => {
    expect(name(select(useCase, 'GET', '/my-route', 'domain.org'))).toBe('3 uri');
    expect(name(select(useCase, 'GET', '/my-route-uri', ''))).toBe('3 uri');
    expect(name(select(useCase, 'TRACE', '/', 'domain.org'))).toBe('2 method');
  });

  it('[host + uri], [host + method], [uri + method], [host + uri + method]', () => {
    expect(name(select(useCase, 'GET', '/route-4', 'domain-1.org'))).toBe('4 host + uri');
    expect(name(select(useCase, 'POST', '/', 'domain-1.org'))).toBe('5 host + method');
    expect(name(select(useCase, 'PUT', '/route-6', 'domain.org'))).toBe('6 uri + method');
    expect(name(select(useCase, 'PUT', '/my-route-uri', 'domain-with-uri-2.org'))).toBe('7 host + uri + method');
  });

  it('single [headers] value', () => {
    expect(name(select(useCase, 'GET', '/', '', { location: 'my-location-1' }))).toBe('9 headers single');
    expect(name(select(useCase, 'GET', '/', '', { location: 'my-location-2' }))).toBe('9 headers single');
    expect(name(select(useCase, 'GET', '/', '', { location: ['my-location-3', 'my-location-2'] }))).toBe('9 headers single');
    expect(select(useCase, 'GET', '/', '', { location: 'my-location-3' })).toBeNull();
    expect(select(useCase, 'GET', '/', '', { location: ['my-location-3', 'foo'] })).toBeNull();
    const chrome = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/83.0.4103.116 Safari/537.36';
    expect(name(select(useCase, 'GET', '/', '', { 'user-agent': chrome }))).toBe('15 headers regex');
  });

  it('multiple [headers] values', () => {
    expect(name(select(useCase, 'GET', '/', '', { location: 'my-location-1', version: 'v1' }))).toBe('10 headers multiple');
    expect(name(select(useCase, 'GET', '/', '', { location: 'my-location-1', version: 'v2' }))).toBe('10 headers multiple');
    expect(name(select(useCase, 'GET', '/', '', { location: ['my-location-3', 'my-location-1'], version: 'v2' }))).toBe('10 headers multiple');
    // fallback to Route 9
    expect(name(select(useCase, 'GET', '/', '', { location: ['my-location-3', 'my-location-2'], version: 'v2' }))).toBe('9 headers single');
  });

  it('[headers + uri], [host + headers + uri + method], [serviceless]', () => {
    expect(name(select(useCase, 'GET', '/headers-uri', '', { location: 'my-location-2' }))).toBe('11 headers + uri');
    expect(name(select(useCase, 'PUT', '/headers-host-uri-method', 'domain-with-headers-1.org', { location: 'my-location-2' }))).toBe(
      '12 host + headers + uri + method',
    );
    const serviceless = select(useCase, 'GET', '/serviceless');
    expect(name(serviceless)).toBe('8 serviceless');
    expect(serviceless?.service).toBeNull();
  });

  describe('[uri regex]', () => {
    it('matches with [uri regex]', () => {
      const match = select([route({ paths: ['~/users/\\d+/profile'] })], 'GET', '/users/123/profile', 'domain.org');
      expect(match).not.toBeNull();
      expect(match?.captures).toBeNull();
    });

    it('matches the right route when several ones have a [uri regex]', () => {
      const routes = [
        route({ name: 'a', paths: ['~/route/persons/\\d{3}'] }),
        route({ name: 'b', paths: ['~/route/persons/\\d{3}/following'] }),
        route({ name: 'c', paths: ['~/route/persons/\\d{3}/[a-z]+'] }),
      ];
      expect(name(select(routes, 'GET', '/route/persons/456', 'domain.org'))).toBe('a');
    });

    it('matches a [uri regex] even if a [prefix uri] got a match, or an exact one', () => {
      const prefix = [route({ name: 'prefix', paths: ['/route/persons'] }), route({ name: 'regex', paths: ['~/route/persons/\\d+/profile'] })];
      expect(name(select(prefix, 'GET', '/route/persons/123/profile', 'domain.org'))).toBe('regex');
      const exact = [route({ name: 'prefix', paths: ['/route/fixture'] }), route({ name: 'regex', paths: ['~/route/(fixture)'] })];
      expect(name(select(exact, 'GET', '/route/fixture', 'domain.org'))).toBe('regex');
    });

    it('matches a [uri regex + host] even if a [prefix uri] got a match', () => {
      const routes = [
        route({ name: 'pat', hosts: ['route.com'], paths: ['/pat'] }),
        route({ name: 'path-post', hosts: ['route.com'], paths: ['/path'], methods: ['POST'] }),
        route({ name: 'regex', hosts: ['route.com'], paths: ['~/(path)'] }),
      ];
      expect(name(select(routes, 'GET', '/path', 'route.com'))).toBe('regex');
    });

    it('matches from the beginning of the request URI [uri regex]', () => {
      const routes = [route({ paths: ['~/prefix/[0-9]+'] })];
      expect(select(routes, 'GET', '/prefix/123', 'domain.org')).not.toBeNull();
      expect(select(routes, 'GET', '/extra/prefix/123', 'domain.org')).toBeNull();
    });
  });

  describe('[headers]', () => {
    it('evaluates Routes with more [headers] first', () => {
      const routes = [
        route({ name: 'two', headers: { version: ['v1', 'v2'], user_agent: ['foo', 'bar'] } }),
        route({ name: 'three', headers: { version: ['v1', 'v2'], user_agent: ['foo', 'bar'], location: ['east', 'west'] } }),
      ];
      expect(name(select(routes, 'GET', '/', '', { version: 'v1', 'user-agent': 'foo', location: ['north', 'west'] }))).toBe('three');
    });

    it('names are case-insensitive', () => {
      // Kong's router reads `user_agent` and `User-Agent` as one header (nginx and atc-router do).
      const routes = [route({ name: 'foo', headers: { USER_AGENT: ['foo', 'bar'] } }), route({ name: 'baz', headers: { user_agent: ['baz'] } })];
      expect(name(select(routes, 'GET', '/', '', { 'user-agent': 'foo' }))).toBe('foo');
      expect(name(select(routes, 'GET', '/', '', { 'user-agent': 'baz' }))).toBe('baz');
    });

    it('matches values in a case-insensitive way', () => {
      const routes = [route({ name: 'foo', headers: { user_agent: ['foo', 'bar'] } }), route({ name: 'baz', headers: { user_agent: ['BAZ'] } })];
      expect(name(select(routes, 'GET', '/', '', { 'user-agent': 'FOO' }))).toBe('foo');
      expect(name(select(routes, 'GET', '/', '', { 'user-agent': 'baz' }))).toBe('baz');
    });
  });

  describe('edge-cases', () => {
    const edgeCase = useCase.slice(0, 7);

    it('[host] and [uri] have higher priority than [method]', () => {
      expect(name(select(edgeCase, 'TRACE', '/', 'domain-2.org'))).toBe('1 host');
      expect(name(select(edgeCase, 'TRACE', '/my-route', 'domain.org'))).toBe('3 uri');
    });

    it('half [uri] and [host] match does not supersede another route', () => {
      const routes = [route({ name: '1', hosts: ['host1.com'], paths: ['/v1/path'] }), route({ name: '2', hosts: ['host2.com'], paths: ['/'] })];
      expect(name(select(routes, 'GET', '/v1/path', 'host1.com'))).toBe('1');
      expect(name(select(routes, 'GET', '/v1/path', 'host2.com'))).toBe('2');
    });

    it('half [wildcard host] and [method] match does not supersede another route', () => {
      const routes = [route({ name: 'get', hosts: ['host.*'], methods: ['GET'] }), route({ name: 'post', hosts: ['host.*'], methods: ['POST'] })];
      expect(name(select(routes, 'GET', '/', 'host.com'))).toBe('get');
      expect(name(select(routes, 'POST', '/', 'host.com'))).toBe('post');
    });

    it('half [uri regex] and [method] match does not supersede another route', () => {
      const routes = [route({ name: 'get', methods: ['GET'], paths: ['~/users/\\d+/profile'] }), route({ name: 'post', methods: ['POST'], paths: ['~/users/\\d*/profile'] })];
      expect(name(select(routes, 'GET', '/users/123/profile', 'domain.org'))).toBe('get');
      expect(name(select(routes, 'POST', '/users/123/profile', 'domain.org'))).toBe('post');
    });

    it('[method] does not supersede [uri prefix]', () => {
      const routes = [route({ name: 'method', methods: ['GET'] }), route({ name: 'uri', paths: ['/example'] })];
      expect(name(select(routes, 'GET', '/example', 'domain.org'))).toBe('uri');
      expect(name(select(routes, 'GET', '/example/status/200', 'domain.org'))).toBe('uri');
    });

    it('[method] does not supersede [wildcard host]', () => {
      const routes = [route({ name: 'method', methods: ['GET'] }), route({ name: 'wildcard', hosts: ['domain.*'] })];
      expect(name(select(routes, 'GET', '/', 'nothing.com'))).toBe('method');
      expect(name(select(routes, 'GET', '/', 'domain.com'))).toBe('wildcard');
    });

    it('root / [uri]: request with [method], does not supersede another route, acts as a catch-all route', () => {
      const routes = [route({ name: 'root', paths: ['/'] }), ...edgeCase];
      expect(name(select(routes, 'GET', '/', 'domain.org'))).toBe('root');
      expect(name(select(routes, 'GET', '/my-route', 'domain.org'))).toBe('3 uri');
      expect(name(select(routes, 'GET', '/my-route/hello/world', 'domain.org'))).toBe('3 uri');
      expect(name(select(routes, 'GET', '/foobar/baz', 'domain.org'))).toBe('root');
    });
  });

  describe('misses', () => {
    it('invalid [host], host in [host + uri], [host + method]; method, uri in [host + uri + method]; [uri] not in prefix', () => {
      expect(select(useCase, 'GET', '/', 'domain-3.org')).toBeNull();
      expect(select(useCase, 'GET', '/route-4', 'domain-3.org')).toBeNull();
      expect(select(useCase, 'POST', '/', 'domain-3.org')).toBeNull();
      expect(select(useCase, 'GET', '/some-uri', 'domain-with-uri-2.org')).toBeNull();
      expect(select(useCase, 'PUT', '/some-uri-foo', 'domain-with-uri-2.org')).toBeNull();
      expect(select(useCase, 'GET', '/some-other-prefix/my-route', 'domain.org')).toBeNull();
    });

    it('invalid [headers], headers in [headers + uri]', () => {
      expect(select(useCase, 'GET', '/', '', { location: 'invalid-location' })).toBeNull();
      expect(select(useCase, 'GET', '/headers-uri', '', { location: 'invalid-location' })).toBeNull();
    });
  });
});

describe(`${KONG}: exec()`, () => {
  const exec = (routes: Route[], path: string, method = 'GET') => routerOf(routes).match(aRequest({ method, path, host: 'domain.org' }));

  it('uri_captures works well with the optional capture group. Fix #13014', () => {
    const match = exec([route({ paths: ['~/(users/)?1984/(?<subpath>profile)$'] })], '/1984/profile');
    expect(match?.captures?.[1]).toBeUndefined();
    expect(match?.captures?.subpath).toBe('profile');
    expect(match?.captures?.scope).toBeUndefined();
  });

  it('returns uri_captures from a [uri regex]', () => {
    const routes = [route({ paths: ['~/users/(?P<user_id>\\d+)/profile/?(?P<scope>[a-z]*)'] })];
    expect(exec(routes, '/users/1984/profile')?.captures).toEqual({ 0: '/users/1984/profile', 1: '1984', 2: '', user_id: '1984', scope: '' });
    expect(exec(routes, '/users/1984/profile/email')?.captures).toEqual({ 0: '/users/1984/profile/email', 1: '1984', 2: 'email', user_id: '1984', scope: 'email' });
  });

  it('returns uri_captures normalized, fix #7913', () => {
    const routes = [route({ paths: ['~/users/(?P<fullname>[a-zA-Z\\s\\d%]+)/profile/?(?P<scope>[a-z]*)'], strip_path: false })];
    const match = exec(routes, '/users/%6aohn%20doe/profile');
    expect(match?.captures).toEqual({ 0: '/users/john doe/profile', 1: 'john doe', 2: '', fullname: 'john doe', scope: '' });
    // What was decoded goes back encoded upstream, as Kong escapes upstream_uri.
    expect(match?.upstreamPath).toBe('/users/john%20doe/profile');
  });

  it('returns no uri_captures from a [uri prefix] match, nor from a [uri regex] match without groups', () => {
    const prefix = exec([route({ paths: ['/hello'], strip_path: true })], '/hello/world');
    expect(prefix?.captures).toBeNull();
    expect(prefix?.upstreamPath).toBe('/world');
    expect(exec([route({ paths: ['~/users/\\d+/profile'] })], '/users/1984/profile')?.captures).toBeNull();
  });

  describe('stripped paths #strip', () => {
    const routes = [
      route({ name: 'strip', paths: ['/my-route', '/xx-route'], strip_path: true }),
      route({ name: 'keep', methods: ['POST'], paths: ['/my-route', '/xx-route'], strip_path: false }),
    ];

    it('strips the specified paths from the given uri if matching; strips if matched URI is plain (not a prefix)', () => {
      expect(exec(routes, '/my-route/hello/world')).toMatchObject({ matchedPath: '/my-route', upstreamPath: '/hello/world' });
      expect(exec(routes, '/my-route')).toMatchObject({ matchedPath: '/my-route', upstreamPath: '/' });
      expect(exec(routes, '/xx-route')).toMatchObject({ matchedPath: '/xx-route', upstreamPath: '/' });
    });

    it("doesn't strip if 'strip_uri' is not enabled", () => {
      expect(exec(routes, '/my-route/hello/world', 'POST')).toMatchObject({ route: { name: 'keep' }, upstreamPath: '/my-route/hello/world' });
    });

    it('does not strips root / URI', () => {
      expect(exec([route({ paths: ['/'], strip_path: true })], '/my-route/hello/world', 'POST')?.upstreamPath).toBe('/my-route/hello/world');
    });

    it('strips url encoded paths', () => {
      expect(exec([route({ paths: ['/endel%2Fst'], strip_path: true })], '/endel%2Fst')).toMatchObject({ matchedPath: '/endel%2Fst', upstreamPath: '/' });
    });

    it('strips a [uri regex], also with a capture group', () => {
      expect(exec([route({ paths: ['~/users/\\d+/profile'], strip_path: true })], '/users/123/profile/hello/world')).toMatchObject({
        matchedPath: '/users/123/profile',
        upstreamPath: '/hello/world',
      });
      expect(exec([route({ paths: ['~/users/(\\d+)/profile'], strip_path: true })], '/users/123/profile/hello/world')?.upstreamPath).toBe('/hello/world');
    });
  });

  it('merges slashes before matching and proxying (nginx merge_slashes, Kong normalize(uri, true))', () => {
    const match = exec([route({ paths: ['/my-route'], strip_path: false })], '//my-route///hello//world');
    expect(match).toMatchObject({ upstreamPath: '/my-route/hello/world' });
  });
});
