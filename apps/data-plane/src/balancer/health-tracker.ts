import type { Healthchecks } from '@tollgate/config';
import type { Outcome } from './types';

/** What a probe saw; `connected` is a tcp-type probe that opened its connection. */
export type ProbeResult =
  | { readonly kind: 'status'; readonly status: number }
  | { readonly kind: 'connected' }
  | { readonly kind: 'tcp_error' }
  | { readonly kind: 'timeout' };

/**
 * Health of one target: shared by reference between the balancer built for a config and the one
 * built for the next (carryHealth), so reports still arriving for the old one count for both.
 */
export class TargetHealth {
  healthy = true;
  successes = 0;
  httpFailures = 0;
  tcpFailures = 0;
  timeouts = 0;
}

type Observation = 'success' | 'http_failure' | 'tcp_failure' | 'timeout' | null;

interface Thresholds {
  readonly successes: number;
  readonly httpFailures: number;
  readonly tcpFailures: number;
  readonly timeouts: number;
  /** Lookup tables indexed by status: 1 when the status counts that way. */
  readonly healthyStatuses: Uint8Array;
  readonly unhealthyStatuses: Uint8Array;
  /** tcp checks judge the connection only: any answer is a success. */
  readonly tcpOnly: boolean;
}

/**
 * Counts successes and failures the way lua-resty-healthcheck (Kong's health checker) does:
 * active probes and passive traffic feed the same counters, each with its own thresholds, and
 * a threshold of 0 turns that counter off. Counters count consecutive observations: a success
 * clears the failure counts and a failure clears the success count, so a few errors spread over
 * hours of good traffic never add up to taking a target out.
 */
export class HealthTracker {
  private readonly active: Thresholds;
  private readonly passive: Thresholds;

  constructor(checks: Healthchecks) {
    const { active, passive } = checks;
    this.active = thresholds(active.type, active.healthy, active.unhealthy, active.healthy.successes);
    this.passive = thresholds(passive.type, passive.healthy, passive.unhealthy, passive.healthy.successes);
  }

  /** True when passive checks can take a target out at all. */
  get passiveEnabled(): boolean {
    const p = this.passive;
    return p.httpFailures + p.tcpFailures + p.timeouts > 0;
  }

  /** Returns true when the target's health flipped. */
  observeProbe(health: TargetHealth, result: ProbeResult): boolean {
    return count(health, classifyProbe(result, this.active), this.active);
  }

  observeTraffic(health: TargetHealth, outcome: Outcome): boolean {
    return count(health, classifyTraffic(outcome, this.passive), this.passive);
  }
}

function thresholds(
  type: string,
  healthy: { readonly http_statuses: readonly number[] },
  unhealthy: {
    readonly http_statuses: readonly number[];
    readonly tcp_failures: number;
    readonly timeouts: number;
    readonly http_failures: number;
  },
  successes: number,
): Thresholds {
  return {
    successes,
    httpFailures: unhealthy.http_failures,
    tcpFailures: unhealthy.tcp_failures,
    timeouts: unhealthy.timeouts,
    healthyStatuses: statusTable(healthy.http_statuses),
    unhealthyStatuses: statusTable(unhealthy.http_statuses),
    tcpOnly: type === 'tcp',
  };
}

function statusTable(statuses: readonly number[]): Uint8Array {
  const table = new Uint8Array(1000);
  for (const s of statuses) if (s >= 0 && s < 1000) table[s] = 1;
  return table;
}

function classifyStatus(status: number, t: Thresholds): Observation {
  if (t.tcpOnly || t.healthyStatuses[status] === 1) return 'success';
  if (t.unhealthyStatuses[status] === 1) return 'http_failure';
  return null; // neither list: Kong ignores it
}

function classifyProbe(result: ProbeResult, t: Thresholds): Observation {
  switch (result.kind) {
    case 'status':
      return classifyStatus(result.status, t);
    case 'connected':
      return 'success';
    case 'tcp_error':
      return 'tcp_failure';
    case 'timeout':
      return 'timeout';
  }
}

function classifyTraffic(outcome: Outcome, t: Thresholds): Observation {
  switch (outcome.kind) {
    case 'response':
      return classifyStatus(outcome.status, t);
    case 'tcp_error':
      return 'tcp_failure';
    case 'timeout':
      return 'timeout';
  }
}

function count(h: TargetHealth, observation: Observation, t: Thresholds): boolean {
  if (observation === null) return false;
  if (observation === 'success') {
    h.httpFailures = h.tcpFailures = h.timeouts = 0;
    if (h.healthy || t.successes === 0) return false;
    h.successes++;
    return h.successes >= t.successes && flip(h, true);
  }
  const limit = observation === 'http_failure' ? t.httpFailures : observation === 'tcp_failure' ? t.tcpFailures : t.timeouts;
  if (limit === 0) return false; // this counter is off: the failure is not counted at all
  h.successes = 0;
  if (!h.healthy) return false;
  const n = observation === 'http_failure' ? ++h.httpFailures : observation === 'tcp_failure' ? ++h.tcpFailures : ++h.timeouts;
  return n >= limit && flip(h, false);
}

function flip(h: TargetHealth, healthy: boolean): true {
  h.healthy = healthy;
  h.successes = h.httpFailures = h.tcpFailures = h.timeouts = 0;
  return true;
}
