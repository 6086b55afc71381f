import type { ConfigEntities, EntityCollection, ForeignKey } from '@tollgate/config';

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

/** Collections whose region view depends on another's: a dropped service drops its routes. */
const DEPENDENTS: Readonly<Partial<Record<EntityCollection, readonly EntityCollection[]>>> = {
  services: ['routes', 'plugins'],
  routes: ['plugins'],
  upstreams: ['targets'],
  certificates: ['snis'],
  consumers: ['plugins', 'keyauth_credentials', 'basicauth_credentials', 'jwt_secrets', 'acls', 'hmacauth_credentials'],
};

/** The changed collections plus every collection whose region view or references depend on them. */
export function withDependents(changed: ReadonlySet<EntityCollection>): Set<EntityCollection> {
  const out = new Set(changed);
  for (const c of changed) for (const d of DEPENDENTS[c] ?? []) out.add(d);
  return out;
}

/**
 * One region's view of the config: entities whose `regions` leave this region out are dropped,
 * and so is everything that depends on a dropped entity (a route of a service that is not here,
 * a plugin on such a route), so what a region receives is always consistent. Collections not in
 * `refilter` are taken as already filtered (the previous snapshot's).
 */
export function filterForRegion(all: ConfigEntities, region: string, refilter?: ReadonlySet<EntityCollection>): ConfigEntities {
  const again = (c: EntityCollection) => !refilter || refilter.has(c);
  const services = again('services') ? all.services.filter((s) => inRegion(s, region)) : all.services;
  const upstreams = again('upstreams') ? all.upstreams.filter((u) => inRegion(u, region)) : all.upstreams;
  let serviceIds: Set<string> | undefined;
  const serviceIdSet = () => (serviceIds ??= new Set(services.map((s) => s.id)));
  const routes = again('routes') ? all.routes.filter((r) => inRegion(r, region) && refersTo(r.service, serviceIdSet())) : all.routes;
  let upstreamIds: Set<string> | undefined;
  const upstreamIdSet = () => (upstreamIds ??= new Set(upstreams.map((u) => u.id)));
  const targets = again('targets') ? all.targets.filter((t) => upstreamIdSet().has(t.upstream.id)) : all.targets;
  let routeIds: Set<string> | undefined;
  const routeIdSet = () => (routeIds ??= new Set(routes.map((r) => r.id)));
  const plugins = again('plugins')
    ? all.plugins.filter((p) => inRegion(p, region) && refersTo(p.service, serviceIdSet()) && refersTo(p.route, routeIdSet()))
    : all.plugins;
  return { ...all, services, routes, upstreams, targets, plugins };
}
