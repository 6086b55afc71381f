import { matchOrigin, originRules } from './origin-rules';

/**
 * spec/03-plugins/13-cors/01-access_spec.lua, the `regex_testcases` table ("given <origin>, <origins>
 * will accept/reject"): true accepts the request origin as sent, a string is the origin answered,
 * false answers none.
 */
const CASES: [string[], Record<string, string | boolean>][] = [
  [['foo\\.test'], { 'http://evil.test': false, 'http://foo.test': true, 'http://foo.test.evil.test': false, 'http://something.foo.test': false, 'http://evilfoo.test': false, 'http://foo.test:80': 'http://foo.test', 'http://foo.test:8000': true, 'https://foo.test:8000': true, 'http://foo.test:90': true, 'http://foobtest': false, 'https://bar.test:1234': false }],
  [['(.*[./])?foo\\.test'], { 'http://evil.test': false, 'http://foo.test': true, 'http://foo.test.evil.test': false, 'http://something.foo.test': true, 'http://evilfoo.test': false, 'http://foo.test:80': 'http://foo.test', 'http://foo.test:8000': true, 'http://foobtest': false }],
  [['(.*[./])?foo\\.test:8000'], { 'http://foo.test': false, 'http://foo.test:80': false, 'http://foo.test:8000': true, 'https://foo.test:8000': true, 'http://foo.test:90': false }],
  [['https://(.*[.])?foo\\.test:8000'], { 'http://foo.test:8000': false, 'https://foo.test:8000': true, 'http://something.foo.test': false }],
  [['^http://(.*[.])?foo\\.test(:(80|90))?$'], { 'http://foo.test': true, 'http://something.foo.test': true, 'http://foo.test:80': 'http://foo.test', 'http://foo.test:8000': false, 'https://foo.test:8000': false, 'http://foo.test:90': true, 'http://foo.test.evil.test': false }],
  [['foo.test', 'bar.test'], { 'http://foo.test': false, 'http://foo.test:80': false, 'https://bar.test:1234': false }],
  [['http://foo.test', 'https://bar.test:1234'], { 'http://foo.test': true, 'http://foo.test:80': 'http://foo.test', 'http://foo.test:8000': false, 'https://bar.test:1234': true, 'http://foo.test.evil.test': false }],
  [['bar.test', 'foo\\.test'], { 'http://foo.test': true, 'http://something.foo.test': false, 'http://foo.test:80': 'http://foo.test', 'http://foo.test:90': true, 'http://foobtest': false }],
  [['bar.test', '(.*\\.)?foo\\.test'], { 'http://foo.test': true, 'http://something.foo.test': true, 'http://foo.test.evil.test': false }],
  [['bar.test', '(.*[./])?foo\\.test:8000'], { 'http://foo.test:8000': true, 'https://foo.test:8000': true, 'http://foo.test:90': false }],
  [['bar.test', 'https://(.*\\.)?foo\\.test:8000'], { 'https://foo.test:8000': true, 'http://foo.test:8000': false }],
];

describe('cors origin rules', () => {
  describe.each(CASES)('origins %j', (origins, tests) => {
    it.each(Object.entries(tests))('given %s answers %j', (origin, expected) => {
      const answer = matchOrigin(originRules(origins), origin);
      expect(answer).toBe(expected === true ? origin : expected === false ? null : expected);
    });
  });

  it('answers a single literal origin whatever the request origin (Kong: "single entry, host only")', () => {
    for (const single of ['foo.test', 'https://bar.test:1234']) expect(originRules([single]).single).toBe(single);
  });

  it('allows every origin with no origins, an empty list, or only *', () => {
    for (const origins of [null, [], ['*']]) expect(originRules(origins).allowAll).toBe(true);
    expect(originRules(['foo.bar', '*'])).toMatchObject({ allowAll: false, starAmongMany: true });
  });
});
