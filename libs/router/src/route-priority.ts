import type { Route } from '@tollgate/config';
import { createHash } from 'node:crypto';

/**
 * Kong's traditional_compatible order (router/transform.lua `get_priority`), one per route path:
 * a route with several paths competes once per path, as Kong splits it into sub-routes. Kong
 * weighs no created_at: equal priorities go to the highest UUID.
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
  /**
   * Breaks ties, highest first, as atc-router does (its matchers are keyed by priority and UUID and
   * tried in reverse): the route id, or for a route Kong splits by path (see tieKeyOf) the id of
   * the part this path belongs to.
   */
  readonly tieKey: string;
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
    tieKey: path === null ? route.id : tieKeyOf(route, pathIndex),
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
    (a.tieKey > b.tieKey ? -1 : a.tieKey < b.tieKey ? 1 : 0) ||
    a.pathIndex - b.pathIndex
  );
}

/** Kong's namespace for the ids of split routes (router/transform.lua). */
const SPLIT_NAMESPACE = Buffer.from('7f145bf90dce4f9198ebdebbce4b9f6b', 'hex');
/** Per route with paths of several kinds, the tie key of each path; computed once per route object. */
const splitKeys = new WeakMap<Route, readonly string[]>();

/**
 * Kong (traditional_compatible) splits a route whose paths differ in kind (regex, or prefix of a
 * given length) into one route per kind, numbered by first appearance, each with the UUID v5 of
 * `<route id>#<n>`. A route with one kind of path keeps its id.
 */
export function tieKeyOf(route: Route, pathIndex: number): string {
  const paths = route.paths!;
  if (paths.length < 2) return route.id;
  let keys = splitKeys.get(route);
  if (keys === undefined) {
    const groups = new Map<number, number>();
    const groupOf = paths.map((p) => {
      const kind = p.startsWith('~') ? 0 : p.length;
      if (!groups.has(kind)) groups.set(kind, groups.size + 1);
      return groups.get(kind)!;
    });
    keys = groups.size === 1 ? paths.map(() => route.id) : groupOf.map((n) => uuidV5(SPLIT_NAMESPACE, `${route.id}#${n}`));
    splitKeys.set(route, keys);
  }
  return keys[pathIndex]!;
}

function uuidV5(namespace: Buffer, name: string): string {
  const bytes = createHash('sha1').update(namespace).update(name).digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
