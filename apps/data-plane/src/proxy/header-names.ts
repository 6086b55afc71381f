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
/** TE: only its `trailers` token goes on, as Kong sends it. */
export const HEADER_TE = 5;
/** X-Kong-Request-Id: replaced by the gateway's when headers_upstream sends it, else passed on. */
export const HEADER_REQUEST_ID = 6;

/**
 * Request headers the proxy does not copy upstream as they are, following Kong: hop-by-hop ones
 * (Connection, Keep-Alive, Upgrade, Trailer, Transfer-Encoding, TE), `Proxy` (httpoxy) and
 * Proxy-Connection, Expect (node answers 100-continue itself), and the X-Forwarded-*, X-Real-IP
 * it sets itself. Proxy-Authorization and Proxy-Authenticate go upstream, as in Kong.
 */
export function classifyRequestHeader(name: string): number {
  switch (name.length) {
    case 2:
      return equalsLower(name, 'te') ? HEADER_TE : HEADER_PASS;
    case 3:
      return equalsLower(name, 'via') ? HEADER_VIA : HEADER_PASS;
    case 4:
      return equalsLower(name, 'host') ? HEADER_HOST : HEADER_PASS;
    case 5:
      return equalsLower(name, 'proxy') ? HEADER_DROP : HEADER_PASS;
    case 6:
      return equalsLower(name, 'expect') ? HEADER_DROP : HEADER_PASS;
    case 7:
      return equalsLower(name, 'upgrade') || equalsLower(name, 'trailer') ? HEADER_DROP : HEADER_PASS;
    case 9:
      return equalsLower(name, 'x-real-ip') ? HEADER_DROP : HEADER_PASS;
    case 10:
      return equalsLower(name, 'connection') || equalsLower(name, 'keep-alive') ? HEADER_DROP : HEADER_PASS;
    case 15:
      return equalsLower(name, 'x-forwarded-for') ? HEADER_X_FORWARDED_FOR : HEADER_PASS;
    case 16:
      return equalsLower(name, 'x-forwarded-host') ||
        equalsLower(name, 'x-forwarded-port') ||
        equalsLower(name, 'x-forwarded-path') ||
        equalsLower(name, 'proxy-connection')
        ? HEADER_DROP
        : HEADER_PASS;
    case 17:
      if (equalsLower(name, 'x-kong-request-id')) return HEADER_REQUEST_ID;
      return equalsLower(name, 'x-forwarded-proto') || equalsLower(name, 'transfer-encoding') ? HEADER_DROP : HEADER_PASS;
    case 18:
      return equalsLower(name, 'x-forwarded-prefix') ? HEADER_DROP : HEADER_PASS;
    default:
      return HEADER_PASS;
  }
}

export const RESPONSE_PASS = 0;
export const RESPONSE_DROP = 1;
export const RESPONSE_CONNECTION = 2;
/** Trailer: kept only when the client asked for trailers (`TE: trailers`), as Kong does. */
export const RESPONSE_TRAILER = 3;
export const RESPONSE_VIA = 4;
export const RESPONSE_SERVER = 5;

/** Upstream response headers the proxy does not relay as they are; node frames the body itself. */
export function classifyResponseHeader(name: string): number {
  switch (name.length) {
    case 2:
      return equalsLower(name, 'te') ? RESPONSE_DROP : RESPONSE_PASS;
    case 3:
      return equalsLower(name, 'via') ? RESPONSE_VIA : RESPONSE_PASS;
    case 6:
      return equalsLower(name, 'server') ? RESPONSE_SERVER : RESPONSE_PASS;
    case 7:
      if (equalsLower(name, 'trailer')) return RESPONSE_TRAILER;
      return equalsLower(name, 'upgrade') ? RESPONSE_DROP : RESPONSE_PASS;
    case 10:
      if (equalsLower(name, 'connection')) return RESPONSE_CONNECTION;
      return equalsLower(name, 'keep-alive') ? RESPONSE_DROP : RESPONSE_PASS;
    case 17:
      return equalsLower(name, 'transfer-encoding') ? RESPONSE_DROP : RESPONSE_PASS;
    default:
      return RESPONSE_PASS;
  }
}

/** Whether a TE header value lists `trailers` (the only TE token a proxy passes on). */
export function asksForTrailers(te: string): boolean {
  if (te === 'trailers') return true;
  for (const token of te.split(',')) {
    const semicolon = token.indexOf(';');
    if ((semicolon === -1 ? token : token.slice(0, semicolon)).trim().toLowerCase() === 'trailers') return true;
  }
  return false;
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
