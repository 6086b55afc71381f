import { buildBalancers } from './build-balancers';
import { makeRequest, makeTargets, makeUpstream, only } from './spec-fixtures';

const upstream = makeUpstream({ algorithm: 'least-connections' });
const balancerOf = (specs: (string | [string, number])[]) => only(buildBalancers([upstream], makeTargets(upstream, specs)));
const ok = { kind: 'response', status: 200, latencyMs: 1 } as const;

describe('least-connections', () => {
  it('prefers the idle target while the other has requests in flight', () => {
    const balancer = balancerOf(['a:80', 'b:80']);
    const busy = balancer.pick(makeRequest())!;
    balancer.onStart(busy);
    balancer.onStart(busy);
    for (let i = 0; i < 5; i++) expect(balancer.pick(makeRequest())!.key).not.toBe(busy.key);
    balancer.report(busy, ok);
    balancer.report(busy, ok);
    const picks = new Set(Array.from({ length: 4 }, () => balancer.pick(makeRequest())!.key));
    expect(picks).toEqual(new Set(['a:80', 'b:80']));
  });

  it('weights the in-flight counts: a target of double weight carries twice the requests', () => {
    const balancer = balancerOf([['a:80', 100], ['b:80', 200]]);
    const load = new Map<string, number>();
    for (let i = 0; i < 30; i++) {
      const target = balancer.pick(makeRequest())!;
      balancer.onStart(target); // none finish: the counts only grow
      load.set(target.key, (load.get(target.key) ?? 0) + 1);
    }
    expect(Object.fromEntries(load)).toEqual({ 'a:80': 10, 'b:80': 20 });
  });

  it('breaks ties round-robin', () => {
    const balancer = balancerOf(['a:80', 'b:80', 'c:80']);
    const order = Array.from({ length: 6 }, () => balancer.pick(makeRequest())!.host);
    expect(order).toEqual(['a', 'b', 'c', 'a', 'b', 'c']);
  });

  it('takes the least loaded of the targets a retry has not tried', () => {
    const balancer = balancerOf(['a:80', 'b:80', 'c:80']);
    const a = balancer.pick(makeRequest(), new Set(['b:80', 'c:80']))!;
    balancer.onStart(a);
    expect(balancer.pick(makeRequest(), new Set(['b:80']))!.key).toBe('c:80');
  });

  it('never lets a stray report drive a count below zero', () => {
    const balancer = balancerOf(['a:80', 'b:80']);
    const a = { host: 'a', port: 80, key: 'a:80' };
    balancer.report(a, ok);
    balancer.report(a, ok);
    balancer.onStart(a);
    expect(balancer.pick(makeRequest())!.key).toBe('b:80');
  });
});
