import { HealthTracker, TargetHealth } from './health-tracker';
import { healthchecks, makeUpstream } from './spec-fixtures';
import type { Outcome } from './types';

const status = (s: number): Outcome => ({ kind: 'response', status: s, latencyMs: 1 });
const trackerWith = (passive: Record<string, unknown>, active: Record<string, unknown> = {}) =>
  new HealthTracker(makeUpstream(healthchecks(passive, active)).healthchecks);
const feed = (tracker: HealthTracker, health: TargetHealth, outcomes: Outcome[]) => outcomes.forEach((o) => tracker.observeTraffic(health, o));

describe('health tracker', () => {
  it('takes a target out after N failing statuses and back after M good ones', () => {
    const tracker = trackerWith({ unhealthy: { http_failures: 3 }, healthy: { successes: 2 } });
    const health = new TargetHealth();
    feed(tracker, health, [status(500), status(503)]);
    expect(health.healthy).toBe(true);
    expect(tracker.observeTraffic(health, status(500))).toBe(true);
    expect(health.healthy).toBe(false);
    feed(tracker, health, [status(200)]);
    expect(health.healthy).toBe(false);
    expect(tracker.observeTraffic(health, status(204))).toBe(true);
    expect(health.healthy).toBe(true);
  });

  it('counts consecutive failures: a success in between starts the count again', () => {
    const tracker = trackerWith({ unhealthy: { http_failures: 2 } });
    const health = new TargetHealth();
    feed(tracker, health, [status(500), status(200), status(500), status(200), status(500)]);
    expect(health.healthy).toBe(true);
    feed(tracker, health, [status(500)]);
    expect(health.healthy).toBe(false);
  });

  it('never brings a target back from traffic when healthy.successes is 0 (Kong)', () => {
    const tracker = trackerWith({ unhealthy: { http_failures: 1 } });
    const health = new TargetHealth();
    feed(tracker, health, [status(500), ...Array.from({ length: 50 }, () => status(200))]);
    expect(health.healthy).toBe(false);
  });

  it('counts tcp failures and timeouts against their own thresholds', () => {
    const tracker = trackerWith({ unhealthy: { tcp_failures: 2, timeouts: 3 } });
    const a = new TargetHealth();
    feed(tracker, a, [{ kind: 'timeout' }, { kind: 'timeout' }, { kind: 'tcp_error' }]);
    expect(a.healthy).toBe(true);
    feed(tracker, a, [{ kind: 'tcp_error' }]);
    expect(a.healthy).toBe(false);
    const b = new TargetHealth();
    feed(tracker, b, [{ kind: 'timeout' }, { kind: 'timeout' }, { kind: 'timeout' }]);
    expect(b.healthy).toBe(false);
  });

  it('ignores a counter whose threshold is 0 and a status in neither list', () => {
    const tracker = trackerWith({ unhealthy: { tcp_failures: 1 } });
    const health = new TargetHealth();
    feed(tracker, health, [status(500), status(500), status(500), status(418), { kind: 'timeout' }]);
    expect(health.healthy).toBe(true);
  });

  it('judges probes by the active lists and thresholds, traffic by the passive ones', () => {
    const tracker = trackerWith(
      { unhealthy: { http_failures: 5 } },
      { unhealthy: { http_failures: 1, http_statuses: [502] }, healthy: { successes: 1, http_statuses: [200] } },
    );
    const health = new TargetHealth();
    tracker.observeProbe(health, { kind: 'status', status: 500 });
    expect(health.healthy).toBe(true); // 500 is not an active failure status here
    tracker.observeProbe(health, { kind: 'status', status: 502 });
    expect(health.healthy).toBe(false);
    tracker.observeProbe(health, { kind: 'status', status: 200 });
    expect(health.healthy).toBe(true);
  });

  it('treats any answer as a success for tcp-type checks', () => {
    const tracker = trackerWith({}, { type: 'tcp', unhealthy: { tcp_failures: 1 }, healthy: { successes: 1 } });
    const health = new TargetHealth();
    tracker.observeProbe(health, { kind: 'tcp_error' });
    expect(health.healthy).toBe(false);
    tracker.observeProbe(health, { kind: 'connected' });
    expect(health.healthy).toBe(true);
  });
});
