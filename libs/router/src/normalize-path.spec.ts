import { normalizePath } from './normalize-path';
import { escapeForUpstream } from './percent-encoding';

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
    ['/a%2fb/c/%2e%2e', '/a%2Fb/'],
    ['/caf%C3%A9', '/café'],
    ['/caf%c3%a9', '/café'],
    ['/bad%FC%80utf8', '/bad%FC%80utf8'],
    ['/a%20b%7Cc%22', '/a b|c"'],
    ['/r%3b%40%21', '/r%3B%40%21'],
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

describe('escapeForUpstream', () => {
  it.each([
    ['/a b|c"', '/a%20b%7Cc%22'],
    ['/café', '/caf%C3%A9'],
    ["/ok-._~!$&'()*+,;=:@[]/%2F", "/ok-._~!$&'()*+,;=:@[]/%2F"],
  ])('%s -> %s', (path, escaped) => {
    expect(escapeForUpstream(path)).toBe(escaped);
  });
});
