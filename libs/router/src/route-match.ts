import type { Route, Service } from '@tollgate/config';
import type { RouteEntry } from './route-entry';
import type { RouteMatch } from './router-types';
import { escapeForUpstream } from './percent-encoding';
import { upstreamPath } from './upstream-path';

/**
 * A match as the proxy receives it. Captures are built only when a plugin reads them: most
 * requests never do, and building them is the dearest part of a regex match.
 */
export class RouteMatchResult implements RouteMatch {
  readonly route: Route;
  readonly service: Service | null;
  readonly upstreamPath: string;
  readonly matchedPath: string | null;
  readonly matchedHost: string | null;
  readonly httpsRedirect: boolean;
  private found: RegExpExecArray | null;
  private readonly groupNumbers: readonly number[] | null;
  private built: Readonly<Record<string, string>> | null = null;

  /** `decoded`: the path had escapes decoded, which go back encoded upstream. */
  constructor(entry: RouteEntry, path: string, found: RegExpExecArray | null, matchedHost: string | null, httpsRedirect: boolean, decoded: boolean) {
    this.route = entry.route;
    this.service = entry.service;
    this.matchedPath = found === null ? entry.prefix : found[0];
    const upstream = upstreamPath(entry.stripPath, entry.pathHandling, entry.servicePath, path, this.matchedPath);
    this.upstreamPath = decoded ? escapeForUpstream(upstream) : upstream;
    this.matchedHost = matchedHost;
    this.httpsRedirect = httpsRedirect;
    // Kong reports captures only for regexes with groups.
    this.found = found !== null && entry.regexPath!.hasGroups ? found : null;
    this.groupNumbers = found !== null ? entry.regexPath!.groupNumbers : null;
  }

  get captures(): Readonly<Record<string, string>> | null {
    if (this.found !== null) {
      this.built = capturesOf(this.found, this.groupNumbers);
      this.found = null;
    }
    return this.built;
  }
}

/** Numbered as the route's author numbered them: groups hidden by the regex translation left out. */
function capturesOf(found: RegExpExecArray, groupNumbers: readonly number[] | null): Record<string, string> {
  const captures: Record<string, string> = {};
  const count = groupNumbers === null ? found.length : groupNumbers.length;
  for (let i = 0; i < count; i++) {
    const value = found[groupNumbers === null ? i : groupNumbers[i]!];
    if (value !== undefined) captures[i] = value;
  }
  if (found.groups !== undefined) {
    for (const [name, value] of Object.entries(found.groups)) if (value !== undefined) captures[name] = value;
  }
  return captures;
}
