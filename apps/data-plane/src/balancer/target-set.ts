import type { Target } from '@tollgate/config';
import { TargetHealth } from './health-tracker';
import type { TargetAddress } from './types';

/** Kong's port when a target names none. */
const DEFAULT_TARGET_PORT = 8000;

/**
 * The targets of one upstream as parallel arrays indexed the same way, sorted by key so every
 * algorithm (and the hash ring above all) comes out the same whatever order the config lists
 * them in.
 */
export class TargetSet {
  readonly addresses: readonly TargetAddress[];
  readonly weights: Float64Array;
  /** Replaced entry by entry when health is carried over from the previous config. */
  readonly health: TargetHealth[];
  private readonly indexByKey: Map<string, number>;

  constructor(upstreamName: string, targets: readonly Target[]) {
    const latest = new Map<string, { address: TargetAddress; target: Target }>();
    for (const target of targets) {
      const address = parseTarget(upstreamName, target.target);
      const seen = latest.get(address.key);
      // Two entries for one host:port: the newer wins, as with Kong's target history.
      if (seen === undefined || seen.target.created_at <= target.created_at) latest.set(address.key, { address, target });
    }
    const entries = [...latest.values()].sort((a, b) => (a.address.key < b.address.key ? -1 : 1));
    this.addresses = entries.map((e) => e.address);
    this.weights = Float64Array.from(entries, (e) => e.target.weight);
    this.health = entries.map(() => new TargetHealth());
    this.indexByKey = new Map(this.addresses.map((a, i) => [a.key, i]));
  }

  get size(): number {
    return this.addresses.length;
  }

  indexOf(key: string): number {
    return this.indexByKey.get(key) ?? -1;
  }

  /** Can take traffic: enabled by weight, healthy, and not already tried by this request. */
  eligible(i: number, exclude: ReadonlySet<string> | undefined): boolean {
    return (
      this.weights[i] > 0 && this.health[i].healthy && (exclude === undefined || !exclude.has(this.addresses[i].key))
    );
  }

  /** Percentage of the enabled weight that is healthy (100 when nothing is enabled). */
  healthyWeightPercent(): number {
    let total = 0;
    let healthy = 0;
    for (let i = 0; i < this.weights.length; i++) {
      total += this.weights[i];
      if (this.health[i].healthy) healthy += this.weights[i];
    }
    return total === 0 ? 100 : (healthy * 100) / total;
  }
}

/** 'host', 'host:port', '[v6]', '[v6]:port' or a bare IPv6 address, as Kong accepts them. */
export function parseTarget(upstreamName: string, raw: string): TargetAddress {
  let host = raw;
  let portText: string | null = null;
  if (raw.startsWith('[')) {
    const close = raw.indexOf(']');
    if (close < 0 || (close + 1 < raw.length && raw[close + 1] !== ':')) throw invalidTarget(upstreamName, raw);
    host = raw.slice(1, close);
    if (close + 1 < raw.length) portText = raw.slice(close + 2);
  } else {
    const colon = raw.lastIndexOf(':');
    // More than one colon without brackets is an IPv6 address without a port.
    if (colon >= 0 && raw.indexOf(':') === colon) {
      host = raw.slice(0, colon);
      portText = raw.slice(colon + 1);
    }
  }
  const port = portText === null ? DEFAULT_TARGET_PORT : Number(portText);
  if (host === '' || !/^\d{1,5}$/.test(portText ?? '0') || port < 1 || port > 65535) throw invalidTarget(upstreamName, raw);
  const key = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  return Object.freeze({ host, port, key });
}

function invalidTarget(upstreamName: string, raw: string): Error {
  return new Error(`upstream '${upstreamName}': target '${raw}' is not host[:port]`);
}
