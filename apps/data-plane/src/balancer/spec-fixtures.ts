import { describeErrors, upstreams, validateRecord, type Target, type Upstream } from '@tollgate/config';
import type { Balancer, BalancerRequest } from './types';

/** An upstream as a snapshot carries it: the given fields over the schema's defaults. */
export function makeUpstream(fields: Record<string, unknown> = {}): Upstream {
  const { value, errors } = validateRecord(upstreams.fields, { name: 'backend', ...fields }, {}, upstreams.entityChecks);
  if (errors !== null) throw new Error(describeErrors(errors));
  return { ...value, id: `id-${String(value.name)}`, created_at: 1, updated_at: 1 } as unknown as Upstream;
}

/** Targets of `upstream`: 'host:port' or ['host:port', weight]. */
export function makeTargets(upstream: Upstream, specs: readonly (string | readonly [string, number])[]): Target[] {
  return specs.map((spec, i) => {
    const [target, weight] = typeof spec === 'string' ? [spec, 100] : spec;
    return { id: `t${i}-${target}`, created_at: 1, updated_at: 1, tags: null, upstream: { id: upstream.id }, target, weight };
  });
}

export function makeRequest(fields: Partial<BalancerRequest> = {}): BalancerRequest {
  return { consumerId: null, clientIp: '192.0.2.1', headers: {}, path: '/', query: '', uriCaptures: null, ...fields };
}

export function healthchecks(passive: Record<string, unknown>, active: Record<string, unknown> = {}): Record<string, unknown> {
  return { healthchecks: { passive, active } };
}

/** How many of `n` picks went to each target key (a request finishing before the next starts). */
export function countPicks(balancer: Balancer, n: number, req: BalancerRequest = makeRequest()): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const target = balancer.pick(req);
    const key = target?.key ?? 'null';
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/** The only balancer of a single-upstream config. */
export function only(balancers: Map<string, Balancer>): Balancer {
  const [balancer] = balancers.values();
  return balancer;
}
