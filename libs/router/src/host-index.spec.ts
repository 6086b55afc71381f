import { HostIndex } from './host-index';
import { parseHostPattern } from './host-pattern';

function index(...patterns: string[]): HostIndex<string> {
  return new HostIndex(patterns.map((p) => ({ host: parseHostPattern(p)!, target: p })));
}

const targets = (found: readonly { target: string }[]): string[] => found.map((b) => b.target).sort();

describe('HostIndex', () => {
  const hosts = index('api.example.com', '*.example.com', '*.api.example.com', 'api.*', 'api.example.com:8443', 'other.test');

  it('returns the exact host and every wildcard that also matches it', () => {
    expect(targets(hosts.resolve('api.example.com'))).toEqual(['*.example.com', 'api.*', 'api.example.com', 'api.example.com:8443']);
  });

  it('resolves names only wildcards match', () => {
    expect(targets(hosts.resolve('v1.api.example.com'))).toEqual(['*.api.example.com', '*.example.com']);
    expect(targets(hosts.resolve('api.test'))).toEqual(['api.*']);
    expect(targets(hosts.resolve('v1.api.example.com'))).toEqual(['*.api.example.com', '*.example.com']);
  });

  it('returns nothing for unknown names', () => {
    expect(hosts.resolve('nothing.test')).toEqual([]);
    expect(hosts.resolve('.example.com')).toEqual([]);
    expect(index('a.test').resolve('b.test')).toEqual([]);
  });

  it('keeps the port a pattern insists on', () => {
    const withPort = hosts.resolve('api.example.com').find((b) => b.target === 'api.example.com:8443');
    expect(withPort).toMatchObject({ pattern: 'api.example.com:8443', port: 8443 });
  });
});
