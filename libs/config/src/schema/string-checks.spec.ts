import { runStringCheck, splitHostPort } from './string-checks';

describe('string checks', () => {
  it.each([
    ['host', 'example.com', true],
    ['host', '10.0.0.1', true],
    ['host', 'bad host', false],
    ['host', '-bad.com', false],
    ['wildcard_host', '*.example.com', true],
    ['wildcard_host', 'example.*', true],
    ['wildcard_host', 'ex*ample.com', false],
    ['wildcard_host', '*.*.com', false],
    ['wildcard_host', 'example.com:8080', true],
    ['wildcard_host', 'example.com:99999', false],
    ['router_path', '/users', true],
    ['router_path', '~/users/\\d+$', true],
    ['router_path', '~/x(', false],
    ['router_path', '~/status/(?P<foo>re)', true],
    ['router_path', '~\\A/a(?>b+)c++\\z', true],
    ['router_path', '~/a(?R)', false],
    ['router_path', 'users', false],
    ['path', '/a b', false],
    ['url', 'http://example.com/x', true],
    ['url', 'ftp://example.com', false],
    ['url', 'not a url', false],
    ['cidr', '10.0.0.0/8', true],
    ['cidr', '10.0.0.0/33', false],
    ['cidr', '::1/128', true],
    ['header_name', 'X-Api-Key', true],
    ['asterisk_or_regex', '*', true],
    ['asterisk_or_regex', '(.*[.])?example\\.org', true],
    ['asterisk_or_regex', '[', false],
    ['colon_pair', 'x-a:1', true],
    ['colon_pair', 'x-a:', true],
    ['colon_pair', 'x-a', false],
    ['colon_pair', 'x-a:$(headers.host)', false],
    ['header_name', 'bad header', false],
    ['tag', 'team-a', true],
    ['tag', 'a,b', false],
    ['target', 'example.com:8000', true],
    ['target', 'exa mple.com:8000', false],
    ['name', 'my-service_1.v2~', true],
    ['name', 'my service', false],
    // Kong's typedefs.utf8_name accepts UTF-8 names (04-plugins_routes_spec.lua: instance_name "円").
    ['name', '円', true],
    ['name', 'caf\u00e9-1', true],
    ['name', 'bad\ud800', false],
    ['http_method', 'GET', true],
    ['http_method', 'get', false],
  ] as const)('%s %j -> %s', (check, value, ok) => {
    expect(runStringCheck(check, value) === null).toBe(ok);
  });

  it('names the regex construct a route path uses that JavaScript has no equivalent for', () => {
    expect(runStringCheck('router_path', '~/a/(?R)')).toBe("invalid regex: '/a/(?R)' (the recursion '(?R)' has no JavaScript equivalent)");
  });

  it('splits host and port, IPv6 included', () => {
    expect(splitHostPort('a.com:81')).toEqual({ host: 'a.com', port: 81 });
    expect(splitHostPort('a.com')).toEqual({ host: 'a.com' });
    expect(splitHostPort('[::1]:8000')).toEqual({ host: '[::1]', port: 8000 });
    expect(splitHostPort('a.com:x')).toBeNull();
  });
});
