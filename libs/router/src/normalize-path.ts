import { decodePercent } from './percent-encoding';

const SLASH = 0x2f;
const DOT = 0x2e;

/**
 * Normalises a request path the way Kong does before routing (kong/tools/uri.lua `normalize`):
 * percent-escapes of all but reserved characters decoded (`%2F` stays, upper-cased), dot segments
 * resolved (RFC 3986 5.2.4), runs of slashes merged (nginx merge_slashes). A query string, if one
 * slipped through, is dropped. The common path (no `%`, no `//`, no dot segment) returns its input
 * without allocating.
 */
export function normalizePath(raw: string): string {
  let path = raw;
  const query = path.indexOf('?');
  if (query !== -1) path = path.slice(0, query);
  if (path.length === 0) return '/';
  if (path.indexOf('%') !== -1) path = decodePercent(path);
  if (path.indexOf('//') !== -1) path = mergeSlashes(path);
  if (hasDotSegment(path)) path = removeDotSegments(path);
  return path;
}

function mergeSlashes(path: string): string {
  let out = '';
  let copied = 0;
  for (let i = path.indexOf('//'); i !== -1; i = path.indexOf('//', i)) {
    let end = i + 2;
    while (path.charCodeAt(end) === SLASH) end++;
    out += path.slice(copied, i + 1);
    copied = end;
    i = end;
  }
  return out + path.slice(copied);
}

/** True when a `.` or `..` segment appears anywhere. */
function hasDotSegment(path: string): boolean {
  for (let i = path.indexOf('/.'); i !== -1; i = path.indexOf('/.', i + 1)) {
    const next = i + 2 < path.length ? path.charCodeAt(i + 2) : SLASH;
    if (next === SLASH) return true;
    if (next === DOT && (i + 3 >= path.length || path.charCodeAt(i + 3) === SLASH)) return true;
  }
  return false;
}

function removeDotSegments(path: string): string {
  const segments = path.split('/');
  const output: string[] = [];
  const last = segments.length - 1;
  // segments[0] is what precedes the leading slash: '' for every origin-form path.
  for (let i = 1; i <= last; i++) {
    const segment = segments[i]!;
    if (segment === '.' || segment === '..') {
      if (segment === '..') output.pop();
      // A trailing dot segment still names a directory: `/a/b/..` is `/a/`.
      if (i === last) output.push('');
      continue;
    }
    output.push(segment);
  }
  return segments[0] + '/' + output.join('/');
}
