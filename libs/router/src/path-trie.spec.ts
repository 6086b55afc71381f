import { PathTriesBuilder, type PathTries } from './path-trie';

/** Entries stand in for ranks here: each name's rank is its position in `names`. */
const names: string[] = [];

function collected(tries: PathTries, trie: number, path: string): string[] {
  const found: string[] = [];
  tries.collect(trie, path, { add: (start, end) => found.push(...[...tries.ranks.subarray(start, end)].map((rank) => names[rank]!)) }, null);
  return found;
}

function add(builder: PathTriesBuilder, trie: number, key: string, name: string): void {
  builder.add(trie, key, names.push(name) - 1);
}

describe('PathTries', () => {
  const builder = new PathTriesBuilder();
  const main = builder.addTrie();
  const late = builder.addTrie();
  const wide = builder.addTrie();
  for (const prefix of ['/api', '/api/v1', '/apiary', '/a', '/api/v1/users', '/b', '']) add(builder, main, prefix, prefix || '<any>');
  add(builder, main, '/api', '/api (second)');
  for (const prefix of ['/users/profile', '/users/pro', '/users']) add(builder, late, prefix, prefix);
  const codes = 'abcdefghijklmnopqrstuvwxyz0123456789';
  for (const c of codes) add(builder, wide, `/${c}x`, c);
  const tries = builder.build();

  it('hands over every prefix of the path, shortest first, as plain string prefixes', () => {
    expect(collected(tries, main, '/api/v1/users/42')).toEqual(['<any>', '/a', '/api', '/api (second)', '/api/v1', '/api/v1/users']);
    expect(collected(tries, main, '/apiary/x')).toEqual(['<any>', '/a', '/api', '/api (second)', '/apiary']);
    expect(collected(tries, main, '/apix')).toEqual(['<any>', '/a', '/api', '/api (second)']);
  });

  it('stops where the path leaves the tree', () => {
    expect(collected(tries, main, '/ap')).toEqual(['<any>', '/a']);
    expect(collected(tries, main, '/c')).toEqual(['<any>']);
    expect(collected(tries, main, '/')).toEqual(['<any>']);
  });

  it('keeps tries apart', () => {
    expect(collected(tries, late, '/users/profile/x')).toEqual(['/users', '/users/pro', '/users/profile']);
    expect(collected(tries, late, '/users/prof')).toEqual(['/users', '/users/pro']);
    expect(collected(tries, late, '/api')).toEqual([]);
  });

  it('finds children among many', () => {
    for (const c of codes) expect(collected(tries, wide, `/${c}x/y`)).toEqual([c]);
    expect(collected(tries, wide, '/-x')).toEqual([]);
    expect(collected(tries, wide, '/ax')).toEqual(['a']);
    expect(collected(tries, wide, '/a')).toEqual([]);
  });
});

describe('PathTries over many keys (built in steps)', () => {
  const builder = new PathTriesBuilder();
  const big = builder.addTrie();
  const keys: string[] = [];
  for (let i = 0; i < 6000; i++) keys.push(`/svc-${(i * 7919) % 6000}`, `/svc-${i}/v${i % 3}`);
  for (const key of new Set(keys)) add(builder, big, key, key);
  const steps = builder.buildSteps();
  let yields = 0;
  let next = steps.next();
  for (; next.done !== true; next = steps.next()) yields++;
  const tries = next.value;

  it('yields along the way and finds every prefix as a build in one piece would', () => {
    expect(yields).toBeGreaterThan(3);
    expect(collected(tries, big, '/svc-1234/v1/x')).toEqual(['/svc-1', '/svc-12', '/svc-123', '/svc-1234', '/svc-1234/v1']);
    expect(collected(tries, big, '/svc-5999')).toEqual(['/svc-5', '/svc-59', '/svc-599', '/svc-5999']);
    expect(collected(tries, big, '/svc-6000')).toEqual(['/svc-6', '/svc-60', '/svc-600']);
    expect(collected(tries, big, '/other')).toEqual([]);
  });
});
