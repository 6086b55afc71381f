import { buildBalancers, carryHealth } from './build-balancers';
import { countPicks, healthchecks, makeRequest, makeTargets, makeUpstream, only } from './spec-fixtures';
import type { Balancer, Outcome } from './types';

const err500: Outcome = { kind: 'response', status: 500, latencyMs: 1 };
const ok200: Outcome = { kind: 'response', status: 200, latencyMs: 1 };
const passive = healthchecks({ unhealthy: { http_failures: 2 }, healthy: { successes: 2 } });

function fail(balancer: Balancer, key: string, outcome: Outcome = err500, times = 2): void {
  const [host, port] = key.split(':');
  for (let i = 0; i < times; i++) balancer.report({ host, port: Number(port), key }, outcome);
}

describe('buildBalancers', () => {
  it('builds one balancer per upstream name with that upstream\'s targets', () => {
    const u1 = makeUpstream({ name: 'one' });
    const u2 = makeUpstream({ name: 'two' });
    const balancers = buildBalancers([u1, u2], [...makeTargets(u1, ['a:1']), ...makeTargets(u2, ['b:2', 'c:3'])]);
    expect([...balancers.keys()]).toEqual(['one', 'two']);
    expect(balancers.get('one')!.health()).toEqual([{ target: 'a:1', weight: 100, healthy: true }]);
    expect(balancers.get('two')!.health().map((h) => h.target)).toEqual(['b:2', 'c:3']);
  });

  it('parses Kong target forms: default port 8000, IPv6 with and without brackets', () => {
    const u = makeUpstream();
    const balancer = only(buildBalancers([u], makeTargets(u, ['example.com', '[::1]:9000', 'fe80::1', '10.0.0.1:81'])));
    const keys = balancer.health().map((h) => h.target);
    expect(keys).toEqual(['10.0.0.1:81', '[::1]:9000', '[fe80::1]:8000', 'example.com:8000']);
    const picked = Array.from({ length: 4 }, () => balancer.pick(makeRequest()));
    expect(picked).toContainEqual({ host: '::1', port: 9000, key: '[::1]:9000' });
    expect(picked).toContainEqual({ host: 'example.com', port: 8000, key: 'example.com:8000' });
  });

  it('refuses a target that is not host[:port]', () => {
    const u = makeUpstream();
    for (const bad of ['a:0', 'a:70000', 'a:x', '[::1', '[::1]x', ':80']) {
      expect(() => buildBalancers([u], makeTargets(u, [bad]))).toThrow(/not host\[:port\]/);
    }
  });

  it('keeps the newer of two entries for one host:port', () => {
    const u = makeUpstream();
    const [older, newer] = makeTargets(u, [['a:1', 10], ['a:1', 0]]);
    const balancer = only(buildBalancers([u], [{ ...newer, created_at: 5 }, older]));
    expect(balancer.health()).toEqual([{ target: 'a:1', weight: 0, healthy: true }]);
  });
});

describe('passive health checks through a balancer', () => {
  const u = makeUpstream(passive);

  it('takes a target out after N failing responses and brings it back after M good ones', () => {
    const balancer = only(buildBalancers([u], makeTargets(u, ['a:1', 'b:1'])));
    fail(balancer, 'a:1');
    expect(balancer.health().find((h) => h.target === 'a:1')!.healthy).toBe(false);
    expect(Object.fromEntries(countPicks(balancer, 10))).toEqual({ 'b:1': 10 });
    fail(balancer, 'a:1', ok200); // e.g. requests that were in flight when it went down
    expect(countPicks(balancer, 10).get('a:1')).toBe(5);
  });

  it('returns null when every target is unhealthy', () => {
    const balancer = only(buildBalancers([u], makeTargets(u, ['a:1', 'b:1'])));
    fail(balancer, 'a:1', { kind: 'tcp_error' }); // tcp_failures is off: still healthy
    expect(balancer.pick(makeRequest(), new Set(['b:1']))!.key).toBe('a:1');
    fail(balancer, 'a:1');
    fail(balancer, 'b:1');
    expect(balancer.pick(makeRequest())).toBeNull();
  });

  it('returns null below the healthy-weight threshold', () => {
    const withThreshold = makeUpstream({ healthchecks: { passive: { unhealthy: { http_failures: 1 } }, threshold: 50 } });
    const balancer = only(buildBalancers([withThreshold], makeTargets(withThreshold, [['a:1', 60], ['b:1', 40]])));
    fail(balancer, 'b:1', err500, 1);
    expect(balancer.pick(makeRequest())!.key).toBe('a:1'); // 60% healthy
    fail(balancer, 'a:1', err500, 1);
    expect(balancer.pick(makeRequest())).toBeNull();
  });
});

describe('carryHealth', () => {
  const u = makeUpstream(passive);

  it('keeps a down target down across a config swap, and shares later reports', () => {
    const before = buildBalancers([u], makeTargets(u, ['a:1', 'b:1']));
    fail(only(before), 'a:1');
    const after = buildBalancers([u], makeTargets(u, ['a:1', 'b:1', 'c:1']));
    carryHealth(before, after);
    expect(only(after).health().map((h) => h.healthy)).toEqual([false, true, true]);
    fail(only(before), 'a:1', ok200); // a request started on the old config finishes well
    expect(only(after).health()[0].healthy).toBe(true);
  });

  it('does not carry state into an upstream whose checks are now off', () => {
    const before = buildBalancers([u], makeTargets(u, ['a:1']));
    fail(only(before), 'a:1');
    const unchecked = makeUpstream();
    const after = buildBalancers([unchecked], makeTargets(unchecked, ['a:1']));
    carryHealth(before, after);
    expect(only(after).pick(makeRequest())!.key).toBe('a:1');
  });

  it('starts a fresh balancer healthy when nothing was carried', () => {
    const before = buildBalancers([u], makeTargets(u, ['a:1']));
    fail(only(before), 'a:1');
    const after = buildBalancers([u], makeTargets(u, ['a:1']));
    expect(only(after).pick(makeRequest())!.key).toBe('a:1');
  });
});
