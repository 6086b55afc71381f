import type { Route } from '@tollgate/config';

/**
 * Kong's traditional_compatible order (router/transform.lua `get_priority`), one per route path:
 * a route with several paths competes once per path, as Kong splits it into sub-routes.
 */
export interface RoutePriority {
  /** How many of methods, hosts, paths, headers, snis the route sets. */
  readonly fieldCount: number;
  /** Hosts set, none of them a wildcard. */
  readonly plainHostsOnly: boolean;
  readonly headerCount: number;
  readonly regex: boolean;
  /** regex_priority, counted only for regex paths. */
  readonly regexPriority: number;
  /** Length of a prefix path (0 for regex paths and routes without paths). */
  readonly prefixLength: number;
  readonly createdAt: number;
  readonly routeId: string;
  /** Position of the path in route.paths, so one route's paths keep a stable order. */
  readonly pathIndex: number;
}

const count = (list: readonly unknown[] | null): number => (list !== null && list.length > 0 ? 1 : 0);

export function routePriority(route: Route, path: string | null, pathIndex: number): RoutePriority {
  const headerCount = route.headers === null ? 0 : Object.keys(route.headers).length;
  const hosts = route.hosts ?? [];
  const regex = path !== null && path.startsWith('~');
  return {
    fieldCount: count(route.methods) + count(route.hosts) + count(route.paths) + count(route.snis) + (headerCount > 0 ? 1 : 0),
    plainHostsOnly: hosts.length > 0 && hosts.every((host) => !host.includes('*')),
    headerCount,
    regex,
    regexPriority: regex ? route.regex_priority : 0,
    prefixLength: path === null || regex ? 0 : path.length,
    createdAt: route.created_at,
    routeId: route.id,
    pathIndex,
  };
}

/** Negative when `a` is tried before `b`. */
export function comparePriority(a: RoutePriority, b: RoutePriority): number {
  return (
    b.fieldCount - a.fieldCount ||
    Number(b.plainHostsOnly) - Number(a.plainHostsOnly) ||
    b.headerCount - a.headerCount ||
    Number(b.regex) - Number(a.regex) ||
    b.regexPriority - a.regexPriority ||
    b.prefixLength - a.prefixLength ||
    a.createdAt - b.createdAt ||
    (a.routeId < b.routeId ? -1 : a.routeId > b.routeId ? 1 : 0) ||
    a.pathIndex - b.pathIndex
  );
}
