import { upstreamPath } from './upstream-path';

type Case = [servicePath: string, routePath: string, requestPath: string, expected: string];

function join(strip: boolean, handling: 'v0' | 'v1', [service, routePath, path]: Case): string {
  return upstreamPath(strip, handling, service, path, routePath);
}

describe('upstreamPath', () => {
  // Kong's documented examples (admin-api path_handling), service path /s.
  it("follows Kong's documented examples", () => {
    expect(join(false, 'v0', ['/s', '/fv0', '/fv0req', ''])).toBe('/s/fv0req');
    expect(join(false, 'v1', ['/s', '/fv1', '/fv1req', ''])).toBe('/sfv1req');
    expect(join(true, 'v0', ['/s', '/tv0', '/tv0req', ''])).toBe('/s/req');
    expect(join(true, 'v1', ['/s', '/tv1', '/tv1req', ''])).toBe('/sreq');
  });

  const v0Strip: Case[] = [
    ['/', '/foo', '/foo', '/'],
    ['/', '/foo', '/foo/', '/'],
    ['/', '/foo', '/foo/bar', '/bar'],
    ['/', '/foo', '/foobar', '/bar'],
    ['/svc', '/foo', '/foo', '/svc'],
    ['/svc', '/foo', '/foo/', '/svc/'],
    ['/svc', '/foo', '/foo/bar', '/svc/bar'],
    ['/svc', '/foo', '/foobar', '/svc/bar'],
    ['/svc', '/foo/', '/foo/', '/svc/'],
    ['/svc/', '/foo', '/foo', '/svc'],
    ['/svc/', '/foo', '/foo/', '/svc/'],
    ['/svc/', '/foo', '/foo/bar', '/svc/bar'],
    ['/svc/', '/foo', '/foobar', '/svc/bar'],
    ['/svc/', '/foo/', '/foo/bar', '/svc/bar'],
  ];
  it.each(v0Strip)('v0, strip_path: service %s, route %s, request %s -> %s', (...c) => {
    expect(join(true, 'v0', c)).toBe(c[3]);
  });

  const v0Keep: Case[] = [
    ['/', '/foo', '/foo/bar', '/foo/bar'],
    ['/svc', '/foo', '/foo', '/svc/foo'],
    ['/svc', '/foo', '/foo/', '/svc/foo/'],
    ['/svc/', '/foo', '/foo/bar', '/svc/foo/bar'],
    ['/svc', '/', '/', '/svc'],
    ['/svc/', '/', '/', '/svc/'],
  ];
  it.each(v0Keep)('v0, no strip_path: service %s, route %s, request %s -> %s', (...c) => {
    expect(join(false, 'v0', c)).toBe(c[3]);
  });

  const v1Strip: Case[] = [
    ['/', '/foo', '/foo', '/'],
    ['/', '/foo', '/foo/bar', '/bar'],
    ['/', '/foo', '/foobar', '/bar'],
    ['/svc', '/foo', '/foo', '/svc'],
    ['/svc', '/foo', '/foo/bar', '/svc/bar'],
    ['/svc', '/foo', '/foobar', '/svcbar'],
    ['/svc/', '/foo', '/foo/bar', '/svc/bar'],
    ['/svc/', '/foo', '/foobar', '/svc/bar'],
  ];
  it.each(v1Strip)('v1, strip_path: service %s, route %s, request %s -> %s', (...c) => {
    expect(join(true, 'v1', c)).toBe(c[3]);
  });

  const v1Keep: Case[] = [
    ['/', '/foo', '/foo/bar', '/foo/bar'],
    ['/svc', '/foo', '/foo/bar', '/svcfoo/bar'],
    ['/svc/', '/foo', '/foo/bar', '/svc/foo/bar'],
  ];
  it.each(v1Keep)('v1, no strip_path: service %s, route %s, request %s -> %s', (...c) => {
    expect(join(false, 'v1', c)).toBe(c[3]);
  });

  it('strips nothing for a route without paths', () => {
    expect(upstreamPath(true, 'v0', '/svc', '/a/b', null)).toBe('/svc/a/b');
    expect(upstreamPath(true, 'v0', '/svc', '/', null)).toBe('/svc');
  });

  it('drops a dot segment left at the start of the remainder', () => {
    expect(upstreamPath(true, 'v0', '/svc', '/foo./bar', '/foo')).toBe('/svc/bar');
  });
});
