const SLASH = 0x2f;

const endsWithSlash = (s: string): boolean => s.charCodeAt(s.length - 1) === SLASH;
const startsWithSlash = (s: string): boolean => s.charCodeAt(0) === SLASH;

/** What is left of the path once the matched part is removed, as Kong cleans it. */
function sanitizePostfix(postfix: string): string {
  if (postfix === '.' || postfix === '..') return '';
  if (postfix.startsWith('./')) return postfix.slice(2);
  if (postfix.startsWith('../')) return postfix.slice(3);
  return postfix;
}

/**
 * The path sent upstream, from the normalised request path, the route's strip_path and
 * path_handling, and the service path (`/` when the service has none). Follows Kong:
 * v0 is router/utils.lua `get_upstream_uri_v0`, v1 the older concatenation in traditional.lua.
 * With service path `/s` and route path `/x`: `/xreq` becomes `/s/xreq` (v0) or `/sxreq` (v1)
 * without strip_path, and `/s/req` (v0) or `/sreq` (v1) with it.
 */
export function upstreamPath(
  strip: boolean,
  pathHandling: 'v0' | 'v1',
  servicePath: string,
  path: string,
  matchedPath: string | null,
): string {
  // A route without paths strips nothing: the postfix is the whole path after its first slash.
  const postfix = strip ? sanitizePostfix(path.slice(matchedPath === null ? 1 : matchedPath.length)) : '';
  return pathHandling === 'v1' ? joinV1(strip, servicePath, path, postfix) : joinV0(strip, servicePath, path, postfix);
}

function joinV0(strip: boolean, base: string, path: string, postfix: string): string {
  if (endsWithSlash(base)) {
    if (!strip) return base === '/' ? path : base + path.slice(1);
    if (postfix === '') {
      if (base === '/') return '/';
      return endsWithSlash(path) ? base : base.slice(0, -1);
    }
    return startsWithSlash(postfix) ? base.slice(0, -1) + postfix : base + postfix;
  }
  if (!strip) return path === '/' ? base : base + path;
  if (postfix === '') return path.length > 1 && endsWithSlash(path) ? base + '/' : base;
  return startsWithSlash(postfix) ? base + postfix : base + '/' + postfix;
}

function joinV1(strip: boolean, base: string, path: string, postfix: string): string {
  if (!strip) return base + path.slice(1);
  return endsWithSlash(base) && startsWithSlash(postfix) ? base.slice(0, -1) + postfix : base + postfix;
}
