import { buildBalancers } from './build-balancers';
import { cookieValue, HashInput, queryArgValue } from './hash-input';
import { makeRequest, makeTargets, makeUpstream, only } from './spec-fixtures';

const input = (fields: Record<string, unknown>) => new HashInput(makeUpstream({ algorithm: 'consistent-hashing', ...fields }));

describe('hash input', () => {
  it('reads each hash_on source', () => {
    const req = makeRequest({
      consumerId: 'c-1',
      clientIp: '198.51.100.7',
      headers: { 'x-tenant': 'acme', cookie: 'a=1; session=s-42' },
      path: '/orders/9',
      query: 'region=eu&x=1',
      uriCaptures: { id: '9' },
    });
    expect(input({ hash_on: 'consumer' }).value(req)).toBe('c-1');
    expect(input({ hash_on: 'ip' }).value(req)).toBe('198.51.100.7');
    expect(input({ hash_on: 'header', hash_on_header: 'X-Tenant' }).value(req)).toBe('acme');
    expect(input({ hash_on: 'cookie', hash_on_cookie: 'session' }).value(req)).toBe('s-42');
    expect(input({ hash_on: 'path' }).value(req)).toBe('/orders/9');
    expect(input({ hash_on: 'query_arg', hash_on_query_arg: 'region' }).value(req)).toBe('eu');
    expect(input({ hash_on: 'uri_capture', hash_on_uri_capture: 'id' }).value(req)).toBe('9');
  });

  it('falls back to hash_fallback when hash_on yields nothing, and to nothing after that', () => {
    const byConsumerThenHeader = input({ hash_on: 'consumer', hash_fallback: 'header', hash_fallback_header: 'x-device' });
    expect(byConsumerThenHeader.value(makeRequest({ consumerId: 'c-1', headers: { 'x-device': 'd' } }))).toBe('c-1');
    expect(byConsumerThenHeader.value(makeRequest({ headers: { 'x-device': 'd' } }))).toBe('d');
    expect(byConsumerThenHeader.value(makeRequest())).toBeNull();
    const byArgThenCapture = input({ hash_on: 'query_arg', hash_on_query_arg: 'a', hash_fallback: 'uri_capture', hash_fallback_uri_capture: '1' });
    expect(byArgThenCapture.value(makeRequest({ uriCaptures: { '1': 'cap' } }))).toBe('cap');
    const byHeaderThenArg = input({ hash_on: 'header', hash_on_header: 'x-a', hash_fallback: 'query_arg', hash_fallback_query_arg: 'k' });
    expect(byHeaderThenArg.value(makeRequest({ query: 'k=v' }))).toBe('v');
    expect(input({ hash_on: 'uri_capture', hash_on_uri_capture: 'constructor' }).value(makeRequest({ uriCaptures: {} }))).toBeNull();
  });

  it('generates a missing hash cookie once per request and hands it to Set-Cookie', () => {
    const cookie = input({ hash_on: 'cookie', hash_on_cookie: 'lb', hash_on_cookie_path: '/app' });
    const fresh = makeRequest();
    const value = cookie.value(fresh);
    expect(value).toMatch(/^[0-9a-f-]{36}$/);
    expect(cookie.value(fresh)).toBe(value);
    expect(cookie.cookieToSet(fresh)).toBe(`lb=${value}; Path=/app; SameSite=Lax; HttpOnly`);
    expect(cookie.value(makeRequest())).not.toBe(value);
    expect(cookie.cookieToSet(makeRequest({ headers: { cookie: `lb=${value}` } }))).toBeNull();
    expect(input({ hash_on: 'ip' }).cookieToSet(fresh)).toBeNull();
  });

  it('sends a client that returns with the generated cookie to the same target', () => {
    const upstream = makeUpstream({ hash_on: 'cookie', hash_on_cookie: 'lb' });
    const balancer = only(buildBalancers([upstream], makeTargets(upstream, ['a:1', 'b:1', 'c:1', 'd:1'])));
    for (let client = 0; client < 20; client++) {
      const first = makeRequest();
      // cookieToSet before pick, as a proxy might call it: the value must still be the hashed one.
      const setCookie = balancer.cookieToSet(first)!;
      const target = balancer.pick(first)!.key;
      const again = makeRequest({ headers: { cookie: `other=x; ${setCookie.split(';')[0]}` } });
      expect(balancer.pick(again)!.key).toBe(target);
      expect(balancer.cookieToSet(again)).toBeNull();
    }
  });

  it('normalises query arguments as Kong does', () => {
    expect(queryArgValue('b=2&a=1', 'a')).toBe('1');
    expect(queryArgValue('a=z&a=b&a=m', 'a')).toBe('b,m,z');
    expect(queryArgValue('flag&x=1', 'flag')).toBe('true');
    expect(queryArgValue('a=', 'a')).toBe('');
    expect(queryArgValue('na%6De=J%C3%BCrgen+M', 'name')).toBe('Jürgen M');
    expect(queryArgValue('a=%E0%A4%A', 'a')).toBe('%E0%A4%A');
    expect(queryArgValue('ab=1&&b=2', 'a')).toBeNull();
    expect(queryArgValue('', 'a')).toBeNull();
  });

  it('finds a cookie by exact name', () => {
    expect(cookieValue('session=1; sess=2;  lb=3', 'sess')).toBe('2');
    expect(cookieValue('xlb=1; lb=2', 'lb')).toBe('2');
    expect(cookieValue('lb=', 'lb')).toBe('');
    expect(cookieValue('lbx=1', 'lb')).toBeNull();
    expect(cookieValue(undefined, 'lb')).toBeNull();
  });

  it('combines a repeated header', () => {
    expect(input({ hash_on: 'header', hash_on_header: 'x-a' }).value(makeRequest({ headers: { 'x-a': ['1', '2'] } }))).toBe('1, 2');
  });
});
