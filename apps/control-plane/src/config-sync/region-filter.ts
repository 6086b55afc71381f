import type { ConfigEntities, ForeignKey } from '@tollgate/config';

interface Regional {
  readonly id: string;
  readonly regions?: readonly string[];
}

function inRegion(entity: Regional, region: string): boolean {
  return !entity.regions || entity.regions.length === 0 || entity.regions.includes(region);
}

function refersTo(key: ForeignKey | null, ids: ReadonlySet<string>): boolean {
  return key === null || ids.has(key.id);
}

/**
 * One region's view of the config: entities whose `regions` leave this region out are dropped,
 * and so is everything that depends on a dropped entity (a route of a service that is not here,
 * a plugin on such a route), so what a region receives is always consistent.
 */
export function filterForRegion(all: ConfigEntities, region: string): ConfigEntities {
  const services = all.services.filter((s) => inRegion(s, region));
  const serviceIds = new Set(services.map((s) => s.id));
  const routes = all.routes.filter((r) => inRegion(r, region) && refersTo(r.service, serviceIds));
  const routeIds = new Set(routes.map((r) => r.id));
  const upstreams = all.upstreams.filter((u) => inRegion(u, region));
  const upstreamIds = new Set(upstreams.map((u) => u.id));
  return {
    ...all,
    services,
    routes,
    upstreams,
    targets: all.targets.filter((t) => upstreamIds.has(t.upstream.id)),
    plugins: all.plugins.filter((p) => inRegion(p, region) && refersTo(p.service, serviceIds) && refersTo(p.route, routeIds)),
  };
}
