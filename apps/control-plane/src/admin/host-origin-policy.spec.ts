import { hostName, hostOriginPolicy, isAllowedOrigin, isOwnHost } from './host-origin-policy';

describe('host and origin policy', () => {
  const loopback = hostOriginPolicy('127.0.0.1');

  it.each([
    ['127.0.0.1:8001', '127.0.0.1'],
    ['[::1]:8001', '::1'],
    ['[::1]', '::1'],
    ['LOCALHOST.:8001', 'localhost'],
    ['evil.example:8001', 'evil.example'],
    ['evil.example:', 'evil.example'],
    ['localhost:8001:9', 'localhost:8001'],
  ])('the name of Host %j is %j', (header, name) => {
    expect(hostName(header)).toBe(name);
  });

  it('serves loopback names and the listen address, not names that contain them', () => {
    for (const host of ['localhost:1', '127.0.0.1', '[::1]:2']) expect(isOwnHost(loopback, host, '127.0.0.1')).toBe(true);
    for (const host of ['evil.example:8001', 'localhost.evil.example', 'localhost:8001:9', '127.0.0.2', '', '[::1']) {
      expect({ host, own: isOwnHost(loopback, host, '127.0.0.1') }).toEqual({ host, own: false });
    }
  });

  it('on a wildcard listen address, serves the IP the connection arrived on (a probe by pod IP), not others', () => {
    const wildcard = hostOriginPolicy('0.0.0.0', ['cp.internal']);
    expect(isOwnHost(wildcard, '10.0.0.7:8001', '10.0.0.7')).toBe(true);
    expect(isOwnHost(wildcard, '10.0.0.7:8001', '::ffff:10.0.0.7')).toBe(true);
    expect(isOwnHost(wildcard, '10.0.0.8:8001', '10.0.0.7')).toBe(false);
    expect(isOwnHost(wildcard, '0.0.0.0:8001', '10.0.0.7')).toBe(false);
    expect(isOwnHost(wildcard, 'cp.internal', '10.0.0.7')).toBe(true);
  });

  it('allows a write from its own origin or a listed one only', () => {
    const listed = hostOriginPolicy('127.0.0.1', [], ['https://dash.example.com']);
    expect(isAllowedOrigin(listed, 'http://127.0.0.1:8001', '127.0.0.1:8001')).toBe(true);
    expect(isAllowedOrigin(listed, 'https://dash.example.com', '127.0.0.1:8001')).toBe(true);
    expect(isAllowedOrigin(listed, 'HTTPS://DASH.EXAMPLE.COM', '127.0.0.1:8001')).toBe(true);
    for (const origin of ['http://127.0.0.1:8002', 'http://evil.example', 'null', 'file://', 'https://dash.example.com.evil', 'not a url']) {
      expect({ origin, allowed: isAllowedOrigin(listed, origin, '127.0.0.1:8001') }).toEqual({ origin, allowed: false });
    }
  });
});
