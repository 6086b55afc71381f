/**
 * Classifies header names without lower-casing them (no string per header on the hot path):
 * compare lengths first, then characters case-insensitively against the lower-case name.
 */
export function equalsLower(name: string, lower: string): boolean {
  if (name.length !== lower.length) return false;
  // |0x20 folds ASCII upper case to lower and leaves '-' as is; the names compared here hold
  // only letters and dashes, and no other token character folds onto those.
  for (let i = 0; i < lower.length; i++) if ((name.charCodeAt(i) | 0x20) !== lower.charCodeAt(i)) return false;
  return true;
}

export function startsWithLower(name: string, lowerPrefix: string): boolean {
  if (name.length < lowerPrefix.length) return false;
  for (let i = 0; i < lowerPrefix.length; i++) if ((name.charCodeAt(i) | 0x20) !== lowerPrefix.charCodeAt(i)) return false;
  return true;
}

export const HEADER_PASS = 0;
export const HEADER_DROP = 1;
export const HEADER_HOST = 2;
export const HEADER_X_FORWARDED_FOR = 3;
export const HEADER_VIA = 4;

/**
 * Request headers the proxy does not copy upstream as they are: hop-by-hop ones (RFC 9110 7.6.1,
 * plus Proxy-*), Expect (node answers 100-continue itself), and the X-Forwarded-* it sets itself.
 */
export function classifyRequestHeader(name: string): number {
  switch (name.length) {
    case 2:
      return equalsLower(name, 'te') ? HEADER_DROP : HEADER_PASS;
    case 3:
      return equalsLower(name, 'via') ? HEADER_VIA : HEADER_PASS;
    case 4:
      return equalsLower(name, 'host') ? HEADER_HOST : HEADER_PASS;
    case 6:
      return equalsLower(name, 'expect') ? HEADER_DROP : HEADER_PASS;
    case 7:
      return equalsLower(name, 'upgrade') || equalsLower(name, 'trailer') ? HEADER_DROP : HEADER_PASS;
    case 10:
      return equalsLower(name, 'connection') || equalsLower(name, 'keep-alive') ? HEADER_DROP : HEADER_PASS;
    case 9:
      return equalsLower(name, 'x-real-ip') ? HEADER_DROP : HEADER_PASS;
    case 15:
      return equalsLower(name, 'x-forwarded-for') ? HEADER_X_FORWARDED_FOR : HEADER_PASS;
    case 16:
      return equalsLower(name, 'x-forwarded-host') ||
        equalsLower(name, 'x-forwarded-port') ||
        equalsLower(name, 'x-forwarded-path') ||
        startsWithLower(name, 'proxy-')
        ? HEADER_DROP
        : HEADER_PASS;
    case 17:
      return equalsLower(name, 'x-forwarded-proto') || equalsLower(name, 'transfer-encoding') || startsWithLower(name, 'proxy-')
        ? HEADER_DROP
        : HEADER_PASS;
    default:
      return startsWithLower(name, 'proxy-') ? HEADER_DROP : HEADER_PASS;
  }
}

/** Response headers not copied to the client: hop-by-hop ones; node frames the body itself. */
export function isHopByHopResponseHeader(name: string): boolean {
  switch (name.length) {
    case 2:
      return equalsLower(name, 'te');
    case 7:
      return equalsLower(name, 'upgrade') || equalsLower(name, 'trailer');
    case 10:
      return equalsLower(name, 'connection') || equalsLower(name, 'keep-alive');
    case 17:
      return equalsLower(name, 'transfer-encoding');
    default:
      return name.length > 6 && startsWithLower(name, 'proxy-');
  }
}

const SIMPLE_CONNECTION = /^\s*(keep-alive|close|upgrade)(\s*,\s*(keep-alive|close|upgrade))*\s*$/i;

/**
 * Extra header names a Connection header declares hop-by-hop (`Connection: close, X-Foo`), lower
 * case; null for the usual `keep-alive`/`close`, so most requests build no set.
 */
export function connectionTokens(connection: string | string[] | undefined): Set<string> | null {
  if (connection === undefined) return null;
  const value = Array.isArray(connection) ? connection.join(',') : connection;
  if (SIMPLE_CONNECTION.test(value)) return null;
  const tokens = new Set<string>();
  for (const token of value.split(',')) {
    const name = token.trim().toLowerCase();
    if (name !== '' && name !== 'keep-alive' && name !== 'close' && name !== 'upgrade') tokens.add(name);
  }
  return tokens.size > 0 ? tokens : null;
}
