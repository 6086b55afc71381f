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
