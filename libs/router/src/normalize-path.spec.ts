import { normalizePath } from './normalize-path';

describe('normalizePath', () => {
  it.each([
    ['/a/./b/../c', '/a/c'],
    ['/a/b/..', '/a/'],
    ['/a/.', '/a/'],
    ['/..', '/'],
    ['/../../a', '/a'],
    ['/a/%2e%2e/b', '/b'],
    ['/a/%2E%2e/%2e/b', '/b'],
    ['/%7Euser/%61pi', '/~user/api'],
    ['/a%2Fb', '/a%2Fb'],
    ['/a%2fb/c/%2e%2e', '/a%2fb/'],
    ['/caf%C3%A9', '/caf%C3%A9'],
    ['/a%20b', '/a%20b'],
    ['/100%', '/100%'],
    ['/%zz/%4', '/%zz/%4'],
    ['/a//b', '/a/b'],
    ['//a///b//', '/a/b/'],
    ['/a//..//b', '/b'],
    ['/a/%2F/b', '/a/%2F/b'],
    ['/a/', '/a/'],
    ['/a/..b/.c/b..', '/a/..b/.c/b..'],
    ['/a?x=/../b', '/a'],
    ['', '/'],
  ])('%s -> %s', (raw, normalised) => {
    expect(normalizePath(raw)).toBe(normalised);
  });

  it('returns the very string when there is nothing to normalise', () => {
    const path = '/api/v1/users/42';
    expect(normalizePath(path)).toBe(path);
  });
});
