import type { Route, Service } from '@tollgate/config';
import { chunkSteps, type Steps } from '@tollgate/config';
import { priorityOf, type CompiledPath } from './route-entry';
import { comparePriority, type RoutePriority } from './route-priority';
import type { RejectedRoutePath } from './router-types';

/** What one route compiled to, for the service it had then. */
export interface RouteCompilation {
  readonly route: Route;
  readonly service: Service | null;
  /** Its paths (one entry for a route without paths); empty when the route was rejected whole. */
  readonly paths: readonly CompiledPath[];
  readonly rejected: readonly RejectedRoutePath[];
}

/**
 * Every route's compiled paths, kept with the router built from them so the next config's
 * compile can take over what did not change. Entities that did not change are the same objects
 * from one config to the next (the sync keeps them), so "unchanged" is an identity check: a
 * one-route change compiles one route and merges it into the order the last compile sorted.
 */
export class RouteCompilations {
  constructor(
    readonly byRoute: ReadonlyMap<string, RouteCompilation>,
    /** Every path of every route, in Kong's priority order. */
    readonly sorted: readonly CompiledPath[],
  ) {}

  /** This route's compilation from before, when neither the route nor its service changed since. */
  reusable(route: Route, service: Service | null): RouteCompilation | null {
    const before = this.byRoute.get(route.id);
    return before !== undefined && before.route === route && before.service === service ? before : null;
  }
}

/**
 * Kong's priority order over `kept` (already in order, from the last compile) and `fresh`
 * (unordered): the fresh paths are ranked in steps and sorted (the engine's sort, in one piece:
 * a few ms for 15,000 routes, tens of ms for 100,000), then each is placed by a binary search
 * in `kept`, whose priorities are worked out only at the probes. A small change costs O(routes)
 * copying and O(changed log routes) comparisons.
 */
export function* mergeByPriority(kept: readonly CompiledPath[], fresh: readonly CompiledPath[]): Steps<CompiledPath[]> {
  const ranked: { path: CompiledPath; priority: RoutePriority }[] = [];
  yield* chunkSteps(fresh.length, (from, to) => {
    for (let i = from; i < to; i++) ranked.push({ path: fresh[i]!, priority: priorityOf(fresh[i]!) });
  });
  ranked.sort((a, b) => comparePriority(a.priority, b.priority));
  yield;
  const out: CompiledPath[] = [];
  let next = 0;
  yield* chunkSteps(ranked.length, (from, to) => {
    for (let r = from; r < to; r++) {
      const at = placeOf(kept, next, ranked[r]!.priority);
      for (let i = next; i < at; i++) out.push(kept[i]!);
      out.push(ranked[r]!.path);
      next = at;
    }
  });
  const rest = next;
  yield* chunkSteps(kept.length - rest, (from, to) => {
    for (let i = from; i < to; i++) out.push(kept[rest + i]!);
  });
  return out;
}

/** The first index from `low` in `kept` whose path ranks after `priority`. */
function placeOf(kept: readonly CompiledPath[], low: number, priority: RoutePriority): number {
  let high = kept.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (comparePriority(priorityOf(kept[middle]!), priority) < 0) low = middle + 1;
    else high = middle;
  }
  return low;
}
