import { aRoute } from './route-fixtures';
import { comparePriority, routePriority, tieKeyOf } from './route-priority';

describe('routePriority', () => {
  it('counts the fields a route sets and its headers', () => {
    const route = aRoute({ hosts: ['a.test'], methods: ['GET'], paths: ['/x'], headers: { 'x-a': ['1'], 'x-b': ['2'] }, snis: ['a.test'] });
    expect(routePriority(route, '/x', 0)).toMatchObject({ fieldCount: 5, headerCount: 2, plainHostsOnly: true, regex: false, prefixLength: 2 });
  });

  it('counts regex_priority only for regex paths', () => {
    const route = aRoute({ paths: ['~/a', '/abc'], regex_priority: 9 });
    expect(routePriority(route, '~/a', 0)).toMatchObject({ regex: true, regexPriority: 9, prefixLength: 0 });
    expect(routePriority(route, '/abc', 1)).toMatchObject({ regex: false, regexPriority: 0, prefixLength: 4 });
  });

  it('treats a host list with a wildcard as not plain', () => {
    expect(routePriority(aRoute({ hosts: ['a.test', '*.b.test'] }), null, 0).plainHostsOnly).toBe(false);
    expect(routePriority(aRoute({ paths: ['/'] }), '/', 0).plainHostsOnly).toBe(false);
  });
});

describe('tieKeyOf', () => {
  it("keeps the route id unless Kong splits the route by path kind, then uses Kong's UUID v5 per part", () => {
    const single = aRoute({ paths: ['/a', '/b'] });
    expect([tieKeyOf(single, 0), tieKeyOf(single, 1)]).toEqual([single.id, single.id]);
    const split = aRoute({ paths: ['/a', '~/r', '/bb', '/c'] });
    const keys = [0, 1, 2, 3].map((i) => tieKeyOf(split, i));
    expect(keys[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(keys).size).toBe(3);
    expect(keys[3]).toBe(keys[0]);
  });
});

describe('comparePriority', () => {
  const sorted = (...routes: [ReturnType<typeof aRoute>, string | null][]) =>
    routes
      .map(([route, path]) => ({ name: route.name, priority: routePriority(route, path, 0) }))
      .sort((a, b) => comparePriority(a.priority, b.priority))
      .map((r) => r.name);

  it('orders by field count, plain hosts, header count, regex, regex_priority, prefix length, age', () => {
    const old = aRoute({ name: 'old-prefix', paths: ['/a'], created_at: 1, id: 'b' });
    const young = aRoute({ name: 'young-prefix', paths: ['/a'], created_at: 2, id: 'a' });
    expect(
      sorted(
        [young, '/a'],
        [aRoute({ name: 'longer-prefix', paths: ['/abc'] }), '/abc'],
        [aRoute({ name: 'regex-low', paths: ['~/a'], regex_priority: 1 }), '~/a'],
        [aRoute({ name: 'regex-high', paths: ['~/a'], regex_priority: 5 }), '~/a'],
        [aRoute({ name: 'wildcard-host+path', hosts: ['*.a'], paths: ['/a'] }), '/a'],
        [aRoute({ name: 'plain-host+path', hosts: ['a'], paths: ['/a'] }), '/a'],
        [aRoute({ name: 'header+path', headers: { x: ['1'] }, paths: ['/a'] }), '/a'],
        [aRoute({ name: 'two-headers+path', headers: { x: ['1'], y: ['1'] }, paths: ['/a'] }), '/a'],
        [aRoute({ name: 'method+host+path', methods: ['GET'], hosts: ['*.a'], paths: ['/'] }), '/'],
        [old, '/a'],
      ),
    ).toEqual([
      'method+host+path',
      'plain-host+path',
      'two-headers+path',
      'header+path',
      'wildcard-host+path',
      'regex-high',
      'regex-low',
      'longer-prefix',
      'old-prefix',
      'young-prefix',
    ]);
  });
});
