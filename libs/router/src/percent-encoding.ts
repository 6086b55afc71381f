/**
 * Kong's percent-encoding rules for paths (kong/tools/uri.lua): before routing, `%XX` of every
 * character but the reserved ones (`!*'();:@&=+$,/?%#[]`) is decoded and reserved escapes are
 * upper-cased; on the way upstream, what is neither unreserved nor reserved is encoded again.
 * Decoded bytes at or above 0x80 are read as UTF-8; a run that is not valid UTF-8 stays encoded
 * (Kong's router refuses such a path, so it matches no route either way).
 */
const RESERVED = "!*'();:@&=+$,/?%#[]";
const UTF8 = new TextDecoder('utf-8', { fatal: true });

function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x41 && code <= 0x46) return code - 0x37;
  if (code >= 0x61 && code <= 0x66) return code - 0x57;
  return -1;
}

/** The byte `%XX` at `at` stands for, or -1 when it is not a valid escape. */
function escapedByte(path: string, at: number): number {
  if (at + 2 >= path.length) return -1;
  const high = hexValue(path.charCodeAt(at + 1));
  const low = hexValue(path.charCodeAt(at + 2));
  return high < 0 || low < 0 ? -1 : high * 16 + low;
}

/** Where a run of `%XX` escapes of bytes >= 0x80 starting at `at` ends. */
function highRunEnd(path: string, at: number): number {
  let end = at;
  while (path.charCodeAt(end) === 0x25 && escapedByte(path, end) >= 0x80) end += 3;
  return end;
}

function decodeHighRun(run: string): string | null {
  const bytes = new Uint8Array(run.length / 3);
  for (let i = 0; i < bytes.length; i++) bytes[i] = escapedByte(run, i * 3);
  try {
    return UTF8.decode(bytes);
  } catch {
    return null;
  }
}

/** `path` with Kong's decoding applied; the very string when it has no `%`. */
export function decodePercent(path: string): string {
  let out = '';
  let copied = 0;
  for (let i = path.indexOf('%'); i !== -1; i = path.indexOf('%', i)) {
    const byte = escapedByte(path, i);
    if (byte < 0) {
      i++;
      continue;
    }
    let end = i + 3;
    let text: string;
    if (byte >= 0x80) {
      end = highRunEnd(path, i);
      text = decodeHighRun(path.slice(i, end)) ?? path.slice(i, end).toUpperCase();
    } else if (RESERVED.includes(String.fromCharCode(byte))) {
      text = path.slice(i, end).toUpperCase();
    } else {
      text = String.fromCharCode(byte);
    }
    out += path.slice(copied, i) + text;
    copied = end;
    i = end;
  }
  return copied === 0 ? path : out + path.slice(copied);
}

function isAllowedUnescaped(code: number): boolean {
  if ((code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a) || (code >= 0x30 && code <= 0x39)) return true;
  // unreserved - . _ ~, reserved but ? (never in a path here), and % of the escapes kept.
  return "-._~!#$&'()*+,/:;=@[]%".includes(String.fromCharCode(code));
}

/** `path` with what decodePercent decoded that is unsafe in a request line encoded again (upper-case hex). */
export function escapeForUpstream(path: string): string {
  let i = 0;
  while (i < path.length && isAllowedUnescaped(path.charCodeAt(i))) i++;
  if (i === path.length) return path;
  let out = path.slice(0, i);
  // Decoded text is valid UTF-8, so it holds no lone surrogate for encodeURIComponent to refuse.
  for (const ch of path.slice(i)) out += ch.length === 1 && isAllowedUnescaped(ch.charCodeAt(0)) ? ch : encodeURIComponent(ch);
  return out;
}
