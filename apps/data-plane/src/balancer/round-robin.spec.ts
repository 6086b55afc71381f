import { buildBalancers } from './build-balancers';
import { countPicks, makeRequest, makeTargets, makeUpstream, only } from './spec-fixtures';

const upstream = makeUpstream({ algorithm: 'round-robin' });
const balancerOf = (specs: (string | [string, number])[]) => only(buildBalancers([upstream], makeTargets(upstream, specs)));

describe('weighted round-robin', () => {
  it('splits picks exactly in proportion to the weights', () => {
    const balancer = balancerOf([['a:80', 10], ['b:80', 20], ['c:80', 30]]);
    const counts = countPicks(balancer, 600);
    expect(Object.fromEntries(counts)).toEqual({ 'a:80': 100, 'b:80': 200, 'c:80': 300 });
  });

  it('interleaves smoothly instead of sending bursts to the heavy target', () => {
    const balancer = balancerOf([['a:80', 5], ['b:80', 1], ['c:80', 1]]);
    const order = Array.from({ length: 7 }, () => balancer.pick(makeRequest())?.host);
    expect(order).toEqual(['a', 'a', 'b', 'a', 'c', 'a', 'a']);
  });

  it('never picks a target of weight 0', () => {
    const balancer = balancerOf([['a:80', 100], ['b:80', 0]]);
    expect(Object.fromEntries(countPicks(balancer, 50))).toEqual({ 'a:80': 50 });
  });

  it('returns null when every target has weight 0 or there are none', () => {
    expect(balancerOf([['a:80', 0]]).pick(makeRequest())).toBeNull();
    expect(balancerOf([]).pick(makeRequest())).toBeNull();
  });

  it('skips targets a retry excludes, and returns null once all were tried', () => {
    const balancer = balancerOf(['a:80', 'b:80', 'c:80']);
    const tried = new Set<string>();
    for (let attempt = 0; attempt < 3; attempt++) {
      const target = balancer.pick(makeRequest(), tried);
      expect(target).not.toBeNull();
      expect(tried.has(target!.key)).toBe(false);
      tried.add(target!.key);
    }
    expect(balancer.pick(makeRequest(), tried)).toBeNull();
  });

  it('keeps the weights among the targets that remain when one is excluded', () => {
    const balancer = balancerOf([['a:80', 1], ['b:80', 3], ['c:80', 100]]);
    const counts = new Map<string, number>();
    const exclude = new Set(['c:80']);
    for (let i = 0; i < 400; i++) {
      const key = balancer.pick(makeRequest(), exclude)!.key;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    expect(Object.fromEntries(counts)).toEqual({ 'a:80': 100, 'b:80': 300 });
  });
});
