import { hostMatches, normalizeServerName, parseHostPattern, requestHostPort, requestHostname } from './host-pattern';

describe('parseHostPattern', () => {
  it('splits wildcards and ports, lower-casing', () => {
    expect(parseHostPattern('API.Example.com')).toEqual({ pattern: 'api.example.com', kind: 'exact', value: 'api.example.com', port: 0 });
    expect(parseHostPattern('*.Example.com')).toEqual({ pattern: '*.example.com', kind: 'suffix', value: '.example.com', port: 0 });
    expect(parseHostPattern('example.*:8443')).toEqual({ pattern: 'example.*:8443', kind: 'prefix', value: 'example.', port: 8443 });
    expect(parseHostPattern('[::1]:8000')).toEqual({ pattern: '[::1]:8000', kind: 'exact', value: '[::1]', port: 8000 });
    expect(parseHostPattern('a.com:port')).toBeNull();
  });
});

describe('hostMatches', () => {
  const suffix = parseHostPattern('*.example.com')!;
  const prefix = parseHostPattern('example.*')!;
  it('needs the wildcard to stand for something', () => {
    expect(hostMatches(suffix, 'a.example.com')).toBe(true);
    expect(hostMatches(suffix, 'a.b.example.com')).toBe(true);
    expect(hostMatches(suffix, 'example.com')).toBe(false);
    expect(hostMatches(suffix, '.example.com')).toBe(false);
    expect(hostMatches(prefix, 'example.org')).toBe(true);
    expect(hostMatches(prefix, 'example.')).toBe(false);
    expect(hostMatches(prefix, 'examples.org')).toBe(false);
  });
});

describe('request host parsing', () => {
  it('lower-cases the name and drops the port', () => {
    expect(requestHostname('API.Example.COM:8000')).toBe('api.example.com');
    expect(requestHostname('[::1]:8000')).toBe('[::1]');
    expect(requestHostname('example.com')).toBe('example.com');
  });

  it('takes the port from the Host header, else the fallback', () => {
    expect(requestHostPort('a.com:8443', 80)).toBe(8443);
    expect(requestHostPort('a.com', 8000)).toBe(8000);
    expect(requestHostPort('a.com:', 8000)).toBe(8000);
    expect(requestHostPort('[::1]:9000', 80)).toBe(9000);
    expect(requestHostPort('[::1]', 80)).toBe(80);
  });

  it('normalises server names', () => {
    expect(normalizeServerName('API.example.com.')).toBe('api.example.com');
  });
});
