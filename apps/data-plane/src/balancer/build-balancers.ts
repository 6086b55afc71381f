import type { Target, Upstream } from '@tollgate/config';
import type { Balancer } from './types';
import { UpstreamBalancer } from './upstream-balancer';

/**
 * One balancer per upstream, keyed by upstream name (what a service's host names). Active probes
 * start at once unless `probes: false` (a worker that leaves probing to another process, or a
 * config only being checked).
 */
export function buildBalancers(
  upstreams: readonly Upstream[],
  targets: readonly Target[],
  options: { probes?: boolean } = {},
): Map<string, Balancer> {
  const byUpstream = new Map<string, Target[]>();
  for (const target of targets) {
    const list = byUpstream.get(target.upstream.id);
    if (list === undefined) byUpstream.set(target.upstream.id, [target]);
    else list.push(target);
  }
  const balancers = new Map<string, Balancer>();
  for (const upstream of upstreams) {
    balancers.set(upstream.name, new UpstreamBalancer(upstream, byUpstream.get(upstream.id) ?? [], options.probes ?? true));
  }
  return balancers;
}

/**
 * When a config is swapped, keeps the known health of targets that are in both (same upstream
 * name, same host:port): a target that was down stays down instead of taking traffic again
 * until checks notice. Close the previous balancers right after: until then their probes
 * still count for the shared targets.
 */
export function carryHealth(previous: Map<string, Balancer>, next: Map<string, Balancer>): void {
  for (const [name, balancer] of next) {
    const before = previous.get(name);
    if (balancer instanceof UpstreamBalancer && before instanceof UpstreamBalancer) balancer.carryFrom(before);
  }
}
