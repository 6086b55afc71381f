import type { Route, Service } from '@tollgate/config';
import { HostIndex } from './host-index';
import type { HostPattern } from './host-pattern';
import { PathTriesBuilder } from './path-trie';
import { RouteEntryCompiler, isHttpRoute, type CompiledPath } from './route-entry';
import { comparePriority } from './route-priority';
import { RouteMatcher } from './route-matcher';
import type { Router } from './router-types';

/**
 * Builds the router for one config: every route path becomes an entry, entries are sorted once
 * into Kong's priority order, then filed under their hosts (a path trie per route host, one more
 * for routes without hosts). Routes of disabled services, and tcp/tls-only routes, are left out;
 * routes without a service still match, with service null.
 */
export function compileRouter(routes: readonly Route[], services: ReadonlyMap<string, Service>): Router {
  const compiler = new RouteEntryCompiler();
  const compiled: CompiledPath[] = [];
  let size = 0;
  for (const route of routes) {
    const service = route.service === null ? null : (services.get(route.service.id) ?? null);
    if ((service !== null && !service.enabled) || !isHttpRoute(route)) continue;
    const before = compiled.length;
    compiler.compile(route, service, compiled);
    if (compiled.length > before) size++;
  }
  compiled.sort((a, b) => comparePriority(a.priority, b.priority));

  const tries = new PathTriesBuilder();
  const anyHost = tries.addTrie();
  const byHost = new Map<string, { host: HostPattern; target: number }>();
  for (let rank = 0; rank < compiled.length; rank++) {
    const { hosts, trieKey } = compiled[rank]!;
    if (hosts.length === 0) tries.add(anyHost, trieKey, rank);
    for (const host of hosts) {
      let bucket = byHost.get(host.pattern);
      if (bucket === undefined) {
        bucket = { host, target: tries.addTrie() };
        byHost.set(host.pattern, bucket);
      }
      tries.add(bucket.target, trieKey, rank);
    }
  }
  const entries = compiled.map((path) => path.entry);
  return new RouteMatcher(entries, tries.build(), anyHost, new HostIndex([...byHost.values()]), size, compiler.rejected);
}
