import { buildBalancers } from './build-balancers';
import { EwmaLatency } from './ewma-latency';
import { makeRequest, makeTargets, makeUpstream, only } from './spec-fixtures';
import { TargetSet } from './target-set';
import type { Outcome } from './types';

const upstream = makeUpstream({ algorithm: 'latency' });
const response = (latencyMs: number): Outcome => ({ kind: 'response', status: 200, latencyMs });

function strategyOf(specs: (string | [string, number])[]) {
  const set = new TargetSet('backend', makeTargets(upstream, specs));
  const inFlight = new Int32Array(set.size);
  const clock = { now: 0 };
  const ewma = new EwmaLatency(set, inFlight, () => clock.now);
  const pick = () => set.addresses[ewma.pick(undefined)].host;
  return { set, inFlight, clock, ewma, pick };
}

describe('latency (peak EWMA)', () => {
  it('sends most traffic to the fast target', () => {
    const balancer = only(buildBalancers([upstream], makeTargets(upstream, ['fast:80', 'slow:80'])));
    const latency: Record<string, number> = { fast: 5, slow: 50 };
    const counts: Record<string, number> = { fast: 0, slow: 0 };
    for (let i = 0; i < 200; i++) {
      const target = balancer.pick(makeRequest())!;
      balancer.onStart(target);
      balancer.report(target, response(latency[target.host]));
      counts[target.host]++;
    }
    expect(counts.fast).toBeGreaterThan(190);
  });

  it('jumps to a slower sample at once and comes down over seconds', () => {
    const { ewma, clock } = strategyOf(['a:80']);
    ewma.observe(0, response(10));
    clock.now = 100;
    ewma.observe(0, response(200));
    expect(ewma.cost[0]).toBe(200);
    clock.now = 10_100; // one decay time later: 1/e of the way back
    ewma.observe(0, response(10));
    expect(ewma.cost[0]).toBeCloseTo(10 + 190 / Math.E, 5);
  });

  it('lets an idle slow target decay toward 0 so it is tried again', () => {
    const { ewma, clock, pick } = strategyOf(['a:80', 'b:80']);
    ewma.observe(0, response(100));
    ewma.observe(1, response(10));
    expect(pick()).toBe('b');
    clock.now = 5_000;
    ewma.observe(1, response(10)); // b stays busy and ~10 ms; a sits idle
    clock.now = 40_000;
    ewma.observe(1, response(10));
    expect(pick()).toBe('a');
  });

  it('scores a target without samples as the mean of the others, not as free', () => {
    const { ewma, pick, inFlight } = strategyOf(['a:80', 'b:80', 'new:80']);
    ewma.observe(0, response(10));
    ewma.observe(1, response(30));
    expect(pick()).toBe('a'); // 10 < mean 20 < 30
    inFlight[0] = 2; // a now costs 10 * 3 = 30: the newcomer at 20 wins
    expect(pick()).toBe('new');
  });

  it('counts a failed request as a slow one', () => {
    const { ewma, pick } = strategyOf(['a:80', 'b:80']);
    ewma.observe(0, response(5));
    ewma.observe(1, response(50));
    ewma.observe(0, { kind: 'tcp_error' });
    expect(ewma.cost[0]).toBe(1000);
    expect(pick()).toBe('b');
  });

  it('divides the cost by the weight', () => {
    const { ewma, pick } = strategyOf([['a:80', 100], ['b:80', 400]]);
    ewma.observe(0, response(10));
    ewma.observe(1, response(30)); // 30 / 400 < 10 / 100
    expect(pick()).toBe('b');
  });
});
