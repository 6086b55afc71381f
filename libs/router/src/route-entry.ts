import type { Route, Service } from '@tollgate/config';
import { parseHostPattern, type HostPattern } from './host-pattern';
import { normalizePath } from './normalize-path';
import { compileRegexPath, type RegexPath } from './regex-path';
import { compileHeaderConditions, methodBit, methodMask, OTHER_METHOD, type HeaderCondition } from './request-conditions';
import { routePriority, type RoutePriority } from './route-priority';
import type { RouteCompilation } from './route-compilations';
import type { RejectedRoutePath } from './router-types';

/**
 * One route path (or a whole route without paths), as matching reads it. Fields are in the
 * order a candidate is checked, so the checks usually stay within the object's first cache line.
 */
export interface RouteEntry {
  /** Bits of the methods the route accepts (ANY_METHOD when it sets none). */
  readonly methodMask: number;
  readonly headers: readonly HeaderCondition[] | null;
  readonly snis: readonly HostPattern[] | null;
  readonly regexPath: RegexPath | null;
  /** Methods without a bit of their own, to compare by name; null when there are none. */
  readonly otherMethods: readonly string[] | null;
  /** Accepts https but not plain http: an http request gets https_redirect_status_code. */
  readonly httpsOnly: boolean;
  /** The normalised prefix path; null for regex paths and routes without paths. */
  readonly prefix: string | null;
  readonly stripPath: boolean;
  readonly pathHandling: 'v0' | 'v1';
  readonly servicePath: string;
  readonly route: Route;
  readonly service: Service | null;
}

/** An entry with what only compiling needs: where to file it and how it ranks. */
export interface CompiledPath {
  /** Replaced by the router's copy when it indexes the path (see copyEntry). */
  entry: RouteEntry;
  /** Which of the route's paths it is; -1 for a route without paths. Its priority derives from it. */
  readonly pathIndex: number;
  /** Empty: any host. */
  readonly hosts: readonly HostPattern[];
  /** Where the entry sits in the path trie: its prefix, its regex's literal prefix, or ''. */
  readonly trieKey: string;
}

const PLAINTEXT_PROTOCOLS = ['http', 'ws', 'grpc'];
const TLS_PROTOCOLS = ['https', 'wss', 'grpcs'];

const NO_HOSTS: readonly HostPattern[] = [];
/** Shared by the (usual) routes nothing was rejected from: 100,000 routes keep no empty arrays. */
const NONE_REJECTED: readonly RejectedRoutePath[] = [];

const isSet = (list: readonly unknown[] | null): list is readonly unknown[] => list !== null && list.length > 0;

/** Routes for tcp/tls only belong to a stream router, not this one. */
export function isHttpRoute(route: Route): boolean {
  return route.protocols.some((p) => PLAINTEXT_PROTOCOLS.includes(p) || TLS_PROTOCOLS.includes(p));
}

function otherMethods(methods: readonly string[] | null): readonly string[] | null {
  if (methods === null || methods.every((method) => methodBit(method) !== OTHER_METHOD)) return null;
  return methods.filter((method) => methodBit(method) === OTHER_METHOD);
}

type RouteFields = Omit<RouteEntry, 'prefix' | 'regexPath'>;

/** Spelled out rather than spread so every entry gets one hidden class and stays fast to read. */
function entryOf(shared: RouteFields, prefix: string | null, regexPath: RegexPath | null): RouteEntry {
  return {
    methodMask: shared.methodMask,
    headers: shared.headers,
    snis: shared.snis,
    regexPath,
    otherMethods: shared.otherMethods,
    httpsOnly: shared.httpsOnly,
    prefix,
    stripPath: shared.stripPath,
    pathHandling: shared.pathHandling,
    servicePath: shared.servicePath,
    route: shared.route,
    service: shared.service,
  };
}

/**
 * A copy of `entry`. The router copies its entries, in rank order, each time it indexes them:
 * kept entries were allocated apart, among what one compile keeps for the next, and matching
 * walks them in rank order, so the copies keep it on few cache lines.
 */
export function copyEntry(entry: RouteEntry): RouteEntry {
  return entryOf(entry, entry.prefix, entry.regexPath);
}

/**
 * Turns routes into entries, one per path. A route-wide problem (bad host, bad header regex)
 * drops the whole route; a regex path JavaScript cannot compile drops only that path. Host
 * patterns are parsed once per distinct host and shared.
 */
export class RouteEntryCompiler {
  private readonly patterns = new Map<string, HostPattern | null>();

  compile(route: Route, service: Service | null): RouteCompilation {
    const out: CompiledPath[] = [];
    const compilation: { route: Route; service: Service | null; paths: CompiledPath[]; rejected: readonly RejectedRoutePath[] } = {
      route,
      service,
      paths: out,
      rejected: NONE_REJECTED,
    };
    const reject = (path: string | null, reason: string) => {
      compilation.rejected = [...compilation.rejected, { routeId: route.id, path, reason }];
    };
    const hasHeaders = route.headers !== null && Object.keys(route.headers).length > 0;
    if (!isSet(route.methods) && !isSet(route.hosts) && !isSet(route.paths) && !isSet(route.snis) && !hasHeaders) {
      reject(null, 'sets none of methods, hosts, headers, paths, snis');
      return compilation;
    }
    const hosts = this.hostPatterns(route.hosts, 'host', reject);
    const snis = this.hostPatterns(route.snis, 'sni', reject);
    if (hosts === null || snis === null) return compilation;
    let headers: HeaderCondition[] | null = null;
    try {
      headers = hasHeaders ? compileHeaderConditions(route.headers!) : null;
    } catch (err) {
      reject(null, `invalid header regex: ${(err as Error).message}`);
      return compilation;
    }
    const shared: RouteFields = {
      methodMask: methodMask(route.methods),
      headers,
      snis: snis.length > 0 ? snis : null,
      otherMethods: otherMethods(route.methods),
      httpsOnly: !route.protocols.some((p) => PLAINTEXT_PROTOCOLS.includes(p)),
      stripPath: route.strip_path,
      pathHandling: route.path_handling,
      servicePath: service?.path || '/',
      route,
      service,
    };
    const paths = route.paths ?? [];
    if (paths.length === 0) {
      out.push({ entry: entryOf(shared, null, null), pathIndex: -1, hosts, trieKey: '' });
    }
    for (let pathIndex = 0; pathIndex < paths.length; pathIndex++) {
      const path = paths[pathIndex]!;
      if (!path.startsWith('~')) {
        const prefix = normalizePath(path);
        out.push({ entry: entryOf(shared, prefix, null), pathIndex, hosts, trieKey: prefix });
        continue;
      }
      try {
        const regexPath = compileRegexPath(path.slice(1));
        out.push({ entry: entryOf(shared, null, regexPath), pathIndex, hosts, trieKey: regexPath.literalPrefix });
      } catch (err) {
        reject(path, `invalid regex: ${(err as Error).message}`);
      }
    }
    return compilation;
  }

  /** Null (and the route rejected) when one of them is not a host. */
  private hostPatterns(
    raw: readonly string[] | null,
    field: string,
    reject: (path: null, reason: string) => void,
  ): readonly HostPattern[] | null {
    if (raw === null || raw.length === 0) return NO_HOSTS;
    const patterns: HostPattern[] = [];
    for (const value of raw) {
      let parsed = this.patterns.get(value);
      if (parsed === undefined) {
        parsed = parseHostPattern(value);
        this.patterns.set(value, parsed);
      }
      if (parsed === null) {
        reject(null, `invalid ${field} '${value}'`);
        return null;
      }
      if (!patterns.some((p) => p.pattern === parsed.pattern)) patterns.push(parsed);
    }
    return patterns;
  }
}

/**
 * Where `path` ranks in Kong's order. Computed when needed rather than kept: a 100,000-route
 * router keeps its compiled paths for the next compile, and these would be most of their size.
 */
export function priorityOf(path: CompiledPath): RoutePriority {
  const route = path.entry.route;
  return path.pathIndex < 0 ? routePriority(route, null, 0) : routePriority(route, route.paths![path.pathIndex]!, path.pathIndex);
}
