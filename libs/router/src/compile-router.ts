import { chunkSteps, runSteps, type Route, type Service, type Steps } from '@tollgate/config';
import { HostIndex } from './host-index';
import type { HostPattern } from './host-pattern';
import { PathTriesBuilder } from './path-trie';
import { mergeByPriority, RouteCompilations, type RouteCompilation } from './route-compilations';
import { copyEntry, RouteEntryCompiler, isHttpRoute, type CompiledPath, type RouteEntry } from './route-entry';
import { RouteMatcher } from './route-matcher';
import type { RejectedRoutePath, Router } from './router-types';

/**
 * Builds the router for one config: every route path becomes an entry, entries are sorted into
 * Kong's priority order, then filed under their hosts (a path trie per route host, one more for
 * routes without hosts). Routes of disabled services, and tcp/tls-only routes, are left out;
 * routes without a service still match, with service null.
 *
 * Given the router of the previous config, routes that are the same objects as then (with the
 * same service object) keep their compiled paths and their place in the order; only the others
 * are compiled and sorted. The indexes are then rebuilt whole, which is cheap next to compiling.
 */
export function compileRouter(routes: readonly Route[], services: ReadonlyMap<string, Service>, previous?: Router | null): Router {
  return runSteps(compileRouterSteps(routes, services, previous));
}

/** compileRouter in steps, for a caller that builds between requests (see Steps). */
export function* compileRouterSteps(routes: readonly Route[], services: ReadonlyMap<string, Service>, previous?: Router | null): Steps<Router> {
  const before = previous instanceof RouteMatcher ? previous.compilations : null;
  const compiler = new RouteEntryCompiler();
  const byRoute = new Map<string, RouteCompilation>();
  const kept = new Set<Route>();
  const fresh: CompiledPath[] = [];
  const rejected: RejectedRoutePath[] = [];
  let size = 0;
  yield* chunkSteps(routes.length, (from, to) => {
    for (let i = from; i < to; i++) {
      const route = routes[i]!;
      const service = route.service === null ? null : (services.get(route.service.id) ?? null);
      if ((service !== null && !service.enabled) || !isHttpRoute(route)) continue;
      let compilation = before?.reusable(route, service) ?? null;
      if (compilation !== null) kept.add(route);
      else {
        compilation = compiler.compile(route, service);
        for (const path of compilation.paths) fresh.push(path);
      }
      byRoute.set(route.id, compilation);
      if (compilation.paths.length > 0) size++;
      for (const rejection of compilation.rejected) rejected.push(rejection);
    }
  });
  const previousOrder = before?.sorted ?? [];
  const stillThere: CompiledPath[] = [];
  yield* chunkSteps(previousOrder.length, (from, to) => {
    for (let i = from; i < to; i++) if (kept.has(previousOrder[i]!.entry.route)) stillThere.push(previousOrder[i]!);
  });
  const sorted = yield* mergeByPriority(stillThere, fresh);
  return yield* indexRoutes(new RouteCompilations(byRoute, sorted), size, rejected);
}

/** Files the sorted paths under their hosts' tries; an entry's rank is its place in the order. */
function* indexRoutes(compilations: RouteCompilations, size: number, rejected: readonly RejectedRoutePath[]): Steps<RouteMatcher> {
  const { sorted } = compilations;
  const tries = new PathTriesBuilder();
  const anyHost = tries.addTrie();
  const byHost = new Map<string, { host: HostPattern; target: number }>();
  yield* chunkSteps(sorted.length, (from, to) => {
    for (let rank = from; rank < to; rank++) {
      const { hosts, trieKey } = sorted[rank]!;
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
  });
  const entries = new Array<RouteEntry>(sorted.length);
  yield* chunkSteps(sorted.length, (from, to) => {
    for (let rank = from; rank < to; rank++) {
      // Kept paths then refer to the copy too: the original is left to the collector, not kept twice.
      const path = sorted[rank]!;
      entries[rank] = path.entry = copyEntry(path.entry);
    }
  });
  const built = yield* tries.buildSteps();
  yield;
  return new RouteMatcher(entries, built, anyHost, new HostIndex([...byHost.values()]), size, rejected, compilations);
}
