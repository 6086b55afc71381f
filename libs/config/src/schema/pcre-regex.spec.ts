import { translatePcre, UntranslatableRegexError } from './pcre-regex';

function compiled(pattern: string): RegExp {
  const { source, flags } = translatePcre(pattern);
  return new RegExp(`^(?:${source})`, flags);
}

function refusal(pattern: string): UntranslatableRegexError {
  try {
    translatePcre(pattern);
  } catch (error) {
    if (error instanceof UntranslatableRegexError) return error;
    throw error;
  }
  throw new Error(`'${pattern}' was translated`);
}

describe('translatePcre', () => {
  it('leaves plain JavaScript-compatible regexes as they are', () => {
    for (const pattern of ['/users/\\d+', '/a/(?<id>[^/]+)/(x|y)?', '/files\\.v2/.*$', '/(?:a|b){2,3}', '/x(?=y)(?!z)(?<=x)(?<!q)']) {
      expect(translatePcre(pattern)).toEqual({ source: pattern, flags: '', groupCount: expect.any(Number), groupNumbers: null });
    }
  });

  it('counts the capture groups of regexes used as written', () => {
    expect(translatePcre('/a/(?<id>[^/]+)/(x|y)?').groupCount).toBe(2);
    expect(translatePcre('/a/(?:x)(?=y)(?<=a)[(]\\(').groupCount).toBe(0);
  });

  it('turns named groups (?P<name>...) and (?\'name\'...) and their references into JavaScript ones', () => {
    // Kong issue 18: a declarative file with `~/status/(?P<foo>re)` was refused whole.
    const found = compiled('/status/(?P<foo>re)').exec('/status/re');
    expect(found?.groups).toEqual({ foo: 're' });
    expect(compiled("/(?'a'x)-(?P=a)").test('/x-x')).toBe(true);
    expect(compiled('/(?<a>x)-\\k{a}-\\g{a}-\\g1').test('/x-x-x-x')).toBe(true);
  });

  it('turns \\A, \\z and \\Z into anchors (JavaScript would read them as letters)', () => {
    expect(compiled('\\A/a\\z').test('/a')).toBe(true);
    expect(compiled('\\A/a\\z').test('/ab')).toBe(false);
    expect(compiled('/a\\Z').test('/a\n')).toBe(true);
    expect(compiled('/a\\Z').test('/ab')).toBe(false);
  });

  it('emulates atomic groups and possessive quantifiers, keeping the authored group numbers', () => {
    const atomic = translatePcre('/(?>a+)b');
    expect(atomic.groupCount).toBe(0);
    expect(new RegExp(`^(?:${atomic.source})$`).test('/aaab')).toBe(true);
    // Atomic: `a+` takes every a, and does not give one back to the following `a`.
    expect(compiled('/(?>a+)a').test('/aaa')).toBe(false);
    expect(compiled('/a++a').test('/aaa')).toBe(false);
    expect(compiled('/a*+b').test('/aab')).toBe(true);
    expect(compiled('/[a-z]?+1').test('/x1')).toBe(true);
    const numbered = translatePcre('/(x)(?>(y))(z)++\\1\\2\\3');
    expect(numbered.groupCount).toBe(3);
    const found = new RegExp(numbered.source).exec('/xyzzxyz')!;
    expect(numbered.groupNumbers!.slice(1).map((n) => found[n])).toEqual(['x', 'y', 'z']);
  });

  it('takes leading inline flags as JavaScript flags', () => {
    expect(translatePcre('(?i)/Users')).toMatchObject({ source: '/Users', flags: 'i' });
    expect(translatePcre('(?is)/a.b')).toMatchObject({ flags: 'is' });
  });

  it('translates POSIX classes, \\Q..\\E quoting, \\x{...}, comments and a leading ] in a class', () => {
    expect(compiled('/[[:alpha:]_]+$').test('/ab_C')).toBe(true);
    expect(compiled('/[[:digit:]]+$').test('/12a')).toBe(false);
    expect(compiled('/\\Q(a.b)\\E$').test('/(a.b)')).toBe(true);
    expect(compiled('/\\Q(a.b)\\E$').test('/(axb)')).toBe(false);
    expect(compiled('/\\x{263A}').test('/\u263a')).toBe(true);
    expect(compiled('/a(?# a comment )b').test('/ab')).toBe(true);
    expect(compiled('/[]a]+$').test('/]a]')).toBe(true);
  });

  it.each([
    ['/(?R)', '(?R)', 'recursion'],
    ['/(a)(?1)', '(?1)', 'recursion'],
    ['/(?&name)', '(?&name)', 'recursion'],
    ['/(?|(a)|(b))', '(?|', 'branch-reset'],
    ['/(?(1)a|b)', '(?(1)', 'conditional'],
    ['/a(?i)b', '(?i)', 'inline flag'],
    ['/(?i:a)', '(?i:', 'inline flag'],
    ['(?x)/a b', '(?x)', 'inline flag x'],
    ['/\\p{L}', '\\p', 'Unicode property'],
    ['/\\G', '\\G', 'match-start'],
    ['/\\K', '\\K', 'match-reset'],
    ['/\\h', '\\h', 'horizontal-space'],
    ['/\\R', '\\R', 'newline-sequence'],
    ['/(*SKIP)', '(*SKIP)', 'backtracking verb'],
    ['/[[:foo:]]', '[:foo:]', 'POSIX class'],
    ['/\\y', '\\y', 'unknown escape'],
    ['/\\x{1F600}', '\\x{1F600}', 'astral'],
    ['/(a)\\g{-1}', '\\g{-1}', 'relative'],
  ])('refuses %s, naming %s', (pattern, construct, reason) => {
    const error = refusal(pattern);
    expect(error.construct).toBe(construct);
    expect(error.message).toContain(reason);
    expect(error.message).toContain('has no JavaScript equivalent');
  });
});
