const SLASH = 0x2f;
const DOT = 0x2e;

/**
 * Normalises a request path the way routes are matched: percent-encoded unreserved characters
 * (ALPHA DIGIT - . _ ~) are decoded, dot segments are resolved (RFC 3986 5.2.4), and nothing
 * else changes: `%2F` stays encoded. Runs of slashes are merged, as Kong has nginx do
 * (merge_slashes) before it routes. A query string, if one slipped through, is dropped. The common
 * path (no `%`, no `//`, no dot segment) returns its input without allocating.
 */
export function normalizePath(raw: string): string {
  let path = raw;
  const query = path.indexOf('?');
  if (query !== -1) path = path.slice(0, query);
  if (path.length === 0) return '/';
  if (path.indexOf('%') !== -1) path = decodeUnreserved(path);
  if (path.indexOf('//') !== -1) path = mergeSlashes(path);
  if (hasDotSegment(path)) path = removeDotSegments(path);
  return path;
}

function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x41 && code <= 0x46) return code - 0x37;
  if (code >= 0x61 && code <= 0x66) return code - 0x57;
  return -1;
}

function isUnreserved(code: number): boolean {
  return (
    (code >= 0x41 && code <= 0x5a) ||
    (code >= 0x61 && code <= 0x7a) ||
    (code >= 0x30 && code <= 0x39) ||
    code === 0x2d ||
    code === DOT ||
    code === 0x5f ||
    code === 0x7e
  );
}

function decodeUnreserved(path: string): string {
  let out = '';
  let copied = 0;
  for (let i = path.indexOf('%'); i !== -1 && i + 2 < path.length; i = path.indexOf('%', i + 1)) {
    const high = hexValue(path.charCodeAt(i + 1));
    const low = hexValue(path.charCodeAt(i + 2));
    if (high < 0 || low < 0) continue;
    const code = high * 16 + low;
    if (!isUnreserved(code)) continue;
    out += path.slice(copied, i) + String.fromCharCode(code);
    copied = i + 3;
    i += 2;
  }
  return copied === 0 ? path : out + path.slice(copied);
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
