import type { Route, Service } from '@tollgate/config';

export interface RouteRequest {
  readonly method: string;
  /** Host header value: may carry `:port`, any case. */
  readonly host: string;
  /** Raw request-target path without the query string; may be percent-encoded. */
  readonly path: string;
  /** The path as received, when `path` is already normalised (the proxy normalises it once for plugins). */
  readonly rawPath?: string;
  /** node's IncomingHttpHeaders: lower-cased names. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /**
   * Each header's values apart (node's headersDistinct), read only when a route has header
   * conditions: a header sent twice matches on any of its values, as in Kong, where node's
   * `headers` would have joined them into one. Falls back to `headers` when absent.
   */
  readonly headersDistinct?: Readonly<Record<string, string[] | undefined>>;
  readonly sni?: string;
  readonly protocol: 'http' | 'https';
  /** Local port the request arrived on; stands in for a Host header without a port. */
  readonly port?: number;
}

export interface RouteMatch {
  readonly route: Route;
  readonly service: Service | null;
  /** Path to send upstream after strip_path and path_handling v0/v1 joining with service.path. */
  readonly upstreamPath: string;
  /** Regex captures of the matched path (`0` is the whole match, then positional and named groups). */
  readonly captures: Readonly<Record<string, string>> | null;
  /** The route path that matched: the normalised prefix, or the text a regex path matched. */
  readonly matchedPath: string | null;
  /** The route host that matched, as configured (`*.example.com`, `api.test:8443`). */
  readonly matchedHost: string | null;
  /**
   * The route accepts only https and the request came over http: the proxy answers the route's
   * https_redirect_status_code (426, or a redirect) instead of proxying.
   */
  readonly httpsRedirect: boolean;
}

/** A route path the router could not use; the rest of the config still routes. */
export interface RejectedRoutePath {
  readonly routeId: string;
  readonly path: string | null;
  readonly reason: string;
}

export interface Router {
  match(req: RouteRequest): RouteMatch | null;
  /** Routes that can match: http-family routes whose service (if any) is enabled. */
  readonly size: number;
  readonly rejected: readonly RejectedRoutePath[];
}
