import { CandidateQueue } from './candidate-queue';
import type { HostIndex } from './host-index';
import { requestHostname, requestHostPort } from './host-pattern';
import { normalizePath } from './normalize-path';
import type { PathTries } from './path-trie';
import type { RouteCompilations } from './route-compilations';
import { headersMatch, methodBit, methodMatches, OTHER_METHOD, serverNameMatches } from './request-conditions';
import type { RouteEntry } from './route-entry';
import { RouteMatchResult } from './route-match';
import type { RejectedRoutePath, RouteMatch, RouteRequest, Router } from './router-types';

const DEFAULT_PORTS = { http: 80, https: 443 } as const;

/**
 * Matches requests against compiled indexes: the host index narrows to the buckets of matching
 * route hosts, each bucket's path trie (and the trie of host-less routes) to the entries whose
 * prefix the path starts with, and the queue hands those out in priority order. The first entry
 * whose remaining conditions (method, headers, SNI, regex) hold wins.
 */
export class RouteMatcher implements Router {
  private readonly queue: CandidateQueue;

  constructor(
    /** Entries in priority order: an entry's rank is its index. */
    private readonly entries: readonly RouteEntry[],
    private readonly tries: PathTries,
    /** The trie of routes without hosts. */
    private readonly anyHost: number,
    private readonly hosts: HostIndex<number>,
    readonly size: number,
    readonly rejected: readonly RejectedRoutePath[],
    /** What the entries were compiled from, for the next config's compile to take over. */
    readonly compilations: RouteCompilations,
  ) {
    this.queue = new CandidateQueue(tries.ranks);
  }

  match(req: RouteRequest): RouteMatch | null {
    const path = normalizePath(req.path);
    const queue = this.queue;
    queue.reset();
    this.tries.collect(this.anyHost, path, queue, null);
    if (req.host.length > 0) {
      const buckets = this.hosts.resolve(requestHostname(req.host));
      if (buckets.length > 0) {
        const port = requestHostPort(req.host, req.port ?? DEFAULT_PORTS[req.protocol]);
        for (let i = 0; i < buckets.length; i++) {
          const bucket = buckets[i]!;
          if (bucket.port === 0 || bucket.port === port) this.tries.collect(bucket.target, path, queue, bucket.pattern);
        }
      }
    }
    const method = methodBit(req.method);
    const raw = req.rawPath ?? req.path;
    const decoded = path !== raw && raw.indexOf('%') !== -1;
    for (let list = queue.nextList(); list !== -1; list = queue.nextList()) {
      const entry = this.entries[queue.rank(list)]!;
      if (accepts(entry, req, method)) {
        const httpsRedirect = entry.httpsOnly && req.protocol === 'http';
        if (entry.regexPath === null) return new RouteMatchResult(entry, path, null, queue.host(list), httpsRedirect, decoded);
        // The regex goes last, as the dearest check; its result is the match's.
        const found = entry.regexPath.regex.exec(path);
        if (found !== null) return new RouteMatchResult(entry, path, found, queue.host(list), httpsRedirect, decoded);
      }
      queue.advance(list);
    }
    return null;
  }
}

/** The conditions the indexes do not cover, but for a regex path. */
function accepts(entry: RouteEntry, req: RouteRequest, method: number): boolean {
  if ((entry.methodMask & method) === 0) return false;
  if (method === OTHER_METHOD && entry.otherMethods !== null && !methodMatches(entry.otherMethods, req.method)) return false;
  if (entry.headers !== null && !headersMatch(entry.headers, req.headersDistinct ?? req.headers)) return false;
  // Kong checks SNIs on https only; over http the condition does not apply (Kong #6425).
  return entry.snis === null || req.protocol !== 'https' || serverNameMatches(entry.snis, req.sni);
}
