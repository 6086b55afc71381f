import { buildBalancers } from './build-balancers';
import { HashRing } from './hash-ring';
import { NO_HASH } from './pick-strategy';
import { makeRequest, makeTargets, makeUpstream, only } from './spec-fixtures';
import { TargetSet } from './target-set';
import { xxhash32 } from './xxhash32';

const upstream = makeUpstream({ algorithm: 'consistent-hashing' });
const KEYS = Array.from({ length: 20_000 }, (_, i) => `user-${i}`);

function ringOf(specs: (string | [string, number])[], slots = 10_000): { ring: HashRing; set: TargetSet } {
  const set = new TargetSet('backend', makeTargets(upstream, specs));
  return { ring: new HashRing(set, slots), set };
}

/** Which target key each of KEYS maps to. */
function assignment(specs: (string | [string, number])[]): string[] {
  const { ring, set } = ringOf(specs);
  return KEYS.map((k) => set.addresses[ring.pick(undefined, xxhash32(k))].key);
}

const tenTargets = Array.from({ length: 10 }, (_, i) => `10.0.0.${i + 1}:80`);

describe('consistent-hashing ring', () => {
  it('gives each target ~160 points and keeps the ring sorted', () => {
    const { ring } = ringOf(tenTargets);
    expect(ring.positions.length).toBe(1600);
    for (let i = 1; i < ring.positions.length; i++) expect(ring.positions[i]).toBeGreaterThanOrEqual(ring.positions[i - 1]);
  });

  it('maps a key to the same target every time and whatever the order of the targets', () => {
    const a = assignment(tenTargets);
    expect(assignment(tenTargets)).toEqual(a);
    expect(assignment([...tenTargets].reverse())).toEqual(a);
  });

  it('spreads keys roughly evenly over equal targets and in proportion to weights', () => {
    const even = count(assignment(tenTargets));
    for (const n of even.values()) expect(n / KEYS.length).toBeGreaterThan(0.06);
    for (const n of even.values()) expect(n / KEYS.length).toBeLessThan(0.14);
    const weighted = count(assignment([['a:80', 100], ['b:80', 300]]));
    expect(weighted.get('b:80')! / KEYS.length).toBeGreaterThan(0.65);
    expect(weighted.get('b:80')! / KEYS.length).toBeLessThan(0.85);
  });

  it('moves only ~1/(N+1) of the keys when a target is added, all of them to the new target', () => {
    const before = assignment(tenTargets);
    const after = assignment([...tenTargets, '10.0.0.11:80']);
    const movedTo = after.filter((key, i) => key !== before[i]);
    expect(movedTo.length / KEYS.length).toBeLessThan(1 / 11 + 0.04);
    expect(movedTo.length / KEYS.length).toBeGreaterThan(1 / 11 - 0.04);
    expect(new Set(movedTo)).toEqual(new Set(['10.0.0.11:80']));
  });

  it('moves only the removed target\'s keys when a target is removed', () => {
    const before = assignment(tenTargets);
    const after = assignment(tenTargets.slice(1));
    const movedFrom = before.filter((key, i) => key !== after[i]);
    expect(new Set(movedFrom)).toEqual(new Set([tenTargets[0]]));
    expect(movedFrom.length).toBe(before.filter((key) => key === tenTargets[0]).length);
  });

  it('passes an excluded owner\'s key to another target, and the same one each time', () => {
    const { ring, set } = ringOf(tenTargets);
    const hash = xxhash32('some-key');
    const first = set.addresses[ring.pick(undefined, hash)].key;
    const retry = set.addresses[ring.pick(new Set([first]), hash)].key;
    expect(retry).not.toBe(first);
    expect(set.addresses[ring.pick(new Set([first]), hash)].key).toBe(retry);
    expect(ring.pick(new Set(tenTargets), hash)).toBe(-1);
  });

  it('caps the points at `slots`, keeping at least one per enabled target', () => {
    const many = Array.from({ length: 100 }, (_, i) => `h${i}:80`);
    const { ring } = ringOf(many, 1000);
    expect(ring.positions.length).toBeLessThanOrEqual(1000);
    expect(count(assignment(many)).size).toBe(100);
  });

  it('spreads requests that have no hash input instead of pinning them', () => {
    const { ring, set } = ringOf(['a:80', 'b:80']);
    const picks = count(Array.from({ length: 1000 }, () => set.addresses[ring.pick(undefined, NO_HASH)].key));
    expect(picks.get('a:80')).toBeGreaterThan(300);
    expect(picks.get('b:80')).toBeGreaterThan(300);
  });

  it('is what an upstream with a hash_on uses, even when its algorithm says round-robin', () => {
    const hashed = makeUpstream({ algorithm: 'round-robin', hash_on: 'header', hash_on_header: 'X-User' });
    const balancer = only(buildBalancers([hashed], makeTargets(hashed, tenTargets)));
    for (const user of ['alice', 'bob', 'carol']) {
      const req = makeRequest({ headers: { 'x-user': user } });
      const first = balancer.pick(req)!.key;
      for (let i = 0; i < 20; i++) expect(balancer.pick(req)!.key).toBe(first);
    }
  });
});

function count(keys: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const k of keys) counts.set(k, (counts.get(k) ?? 0) + 1);
  return counts;
}
