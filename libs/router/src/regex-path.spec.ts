import { compileRegexPath, literalPrefixOf } from './regex-path';

describe('compileRegexPath', () => {
  it('anchors at the start of the path, not at the end', () => {
    const { regex } = compileRegexPath('/users/\\d+');
    expect(regex.test('/users/42')).toBe(true);
    expect(regex.test('/users/42/orders')).toBe(true);
    expect(regex.test('/v1/users/42')).toBe(false);
  });

  it('accepts Rust/Python named groups and a leading (?i)', () => {
    const named = compileRegexPath('/u/(?P<id>\\d+)');
    expect(named.regex.exec('/u/7')?.groups).toEqual({ id: '7' });
    const insensitive = compileRegexPath('(?i)/Users');
    expect(insensitive.regex.test('/USERS')).toBe(true);
    expect(insensitive.literalPrefix).toBe('');
  });

  it('knows whether there are groups', () => {
    expect(compileRegexPath('/a/\\d+').hasGroups).toBe(false);
    expect(compileRegexPath('/a/(\\d+)').hasGroups).toBe(true);
    expect(compileRegexPath('/a/(?:x|y)').hasGroups).toBe(false);
    expect(compileRegexPath('/a/(?<id>\\d+)').hasGroups).toBe(true);
    expect(compileRegexPath('/a/(?<=a)(?<!b)(?=c)(?!d)').hasGroups).toBe(false);
    expect(compileRegexPath('/a/[(]\\(').hasGroups).toBe(false);
  });

  it('accepts PCRE constructs Kong users write: \\A, \\z, atomic groups, possessive quantifiers', () => {
    const path = compileRegexPath('\\A/files/(?>[a-z]+)(\\d++)\\z');
    expect(path.regex.exec('/files/abc42')?.[path.groupNumbers![1]!]).toBe('42');
    expect(path.regex.test('/files/abc42/x')).toBe(false);
    expect(path.literalPrefix).toBe('/files/');
    expect(path.hasGroups).toBe(true);
  });

  it('throws, naming the construct, on what has no JavaScript equivalent', () => {
    expect(() => compileRegexPath('/a/(?R)')).toThrow("the recursion '(?R)' has no JavaScript equivalent");
  });

  it('throws on what JavaScript cannot compile', () => {
    expect(() => compileRegexPath('/a/(')).toThrow();
  });
});

describe('literalPrefixOf', () => {
  it.each([
    ['/users/\\d+', '/users/'],
    ['^/users/(\\d+)', '/users/'],
    ['/files\\.v2/.*', '/files.v2/'],
    ['/ab?c', '/a'],
    ['/ab*', '/a'],
    ['/ab{2}', '/a'],
    ['/ab+c', '/ab'],
    ['/a|/b', ''],
    ['/(a|b)', ''],
    ['/[ab|]c', '/'],
    ['/a\\d', '/a'],
    ['.*', ''],
  ])('%s -> %s', (body, prefix) => {
    expect(literalPrefixOf(body)).toBe(prefix);
  });
});
