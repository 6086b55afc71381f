import {
  asksForTrailers,
  classifyRequestHeader,
  connectionTokens,
  HEADER_DROP,
  HEADER_HOST,
  HEADER_PASS,
  HEADER_REQUEST_ID,
  HEADER_TE,
  HEADER_VIA,
  HEADER_X_FORWARDED_FOR,
} from './header-names';
import { SERVER_TOKEN, VIA_TOKEN } from './header-policy';
import type { RequestContext } from './request-context';

const HOST = 'host';
const X_FORWARDED_FOR = 'x-forwarded-for';
const X_FORWARDED_PROTO = 'x-forwarded-proto';
const X_FORWARDED_HOST = 'x-forwarded-host';
const X_FORWARDED_PORT = 'x-forwarded-port';
const X_FORWARDED_PATH = 'x-forwarded-path';
const X_FORWARDED_PREFIX = 'x-forwarded-prefix';
const X_REAL_IP = 'x-real-ip';
const X_KONG_REQUEST_ID = 'x-kong-request-id';
const TE = 'te';
const TRAILERS = 'trailers';
const VIA = 'via';
const VIA_HTTP_1_0 = `1.0 ${SERVER_TOKEN}`;
const COMMA = ', ';

/** The Host header's name part: `[::1]:8000` -> `[::1]`, `api.test:8000` -> `api.test`. */
export function hostWithoutPort(host: string): string {
  const colon = host.lastIndexOf(':');
  if (colon === -1 || host.indexOf(']', colon) !== -1) return host;
  return host.slice(0, colon);
}

/** What Kong calls the prefix (X-Forwarded-Prefix): the path strip_path removed, unless that was `/`. */
function strippedPrefix(ctx: RequestContext): string | null {
  const matched = ctx.match!.matchedPath;
  return ctx.route!.strip_path && matched !== null && matched !== '/' ? matched : null;
}

/**
 * The headers of the upstream request, flat `[name, value, ...]` for undici, as Kong builds them:
 * the client's minus hop-by-hop ones (and those its Connection header names) and minus plugin
 * removals; TE reduced to `trailers` when it asked for them; then Host, X-Forwarded-* (Prefix
 * when a prefix was stripped), X-Real-IP, Via, plugin additions and X-Kong-Request-Id. Returns
 * null when the request carries two Host headers: which one the upstream would honour is
 * ambiguous (a smuggling vector).
 */
export function upstreamRequestHeaders(ctx: RequestContext, hostHeader: string): string[] | null {
  const raw = ctx.req.rawHeaders;
  const edits = ctx.headerEdits;
  const named = connectionTokens(ctx.req.headers.connection);
  const sendsRequestId = ctx.headerPolicy.upstreamRequestId;
  const out: string[] = [];
  let forwardedFor: string | null = null;
  let via: string | null = null;
  let hosts = 0;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    let kind = classifyRequestHeader(name);
    // The client's X-Kong-Request-Id is replaced when the gateway sends its own, else it goes on.
    if (kind === HEADER_REQUEST_ID) kind = sendsRequestId ? HEADER_DROP : HEADER_PASS;
    switch (kind) {
      case HEADER_PASS:
        if ((edits === null && named === null) || !isRemoved(name.toLowerCase(), edits, named)) out.push(name, raw[i + 1]!);
        break;
      case HEADER_TE:
        if (!ctx.trailersRequested && asksForTrailers(raw[i + 1]!)) ctx.trailersRequested = true;
        break;
      case HEADER_HOST:
        hosts++;
        break;
      case HEADER_X_FORWARDED_FOR:
        forwardedFor = forwardedFor === null ? raw[i + 1]! : forwardedFor + COMMA + raw[i + 1]!;
        break;
      case HEADER_VIA:
        via = via === null ? raw[i + 1]! : via + COMMA + raw[i + 1]!;
        break;
      case HEADER_DROP:
        break;
    }
  }
  if (hosts > 1) return null;
  const clientHost = ctx.host;
  const viaToken = ctx.req.httpVersion === '1.0' ? VIA_HTTP_1_0 : VIA_TOKEN;
  if (ctx.trailersRequested) out.push(TE, TRAILERS);
  // Kong appends the connection's address ($realip_remote_addr) to a client's X-Forwarded-For.
  out.push(HOST, hostHeader, X_FORWARDED_FOR, forwardedFor === null ? ctx.clientIp : forwardedFor + COMMA + ctx.connectionIp);
  if (ctx.trustedClient) pushTrustedForwarded(out, ctx, clientHost);
  else {
    out.push(X_FORWARDED_PROTO, ctx.scheme, X_FORWARDED_HOST, hostWithoutPort(clientHost), X_FORWARDED_PORT, String(ctx.port), X_FORWARDED_PATH, ctx.rawPath);
    const prefix = strippedPrefix(ctx);
    if (prefix !== null) out.push(X_FORWARDED_PREFIX, prefix);
  }
  out.push(X_REAL_IP, ctx.clientIp, VIA, via === null ? viaToken : via + COMMA + viaToken);
  if (edits !== null) {
    for (const [name, value] of edits) if (value !== null && !(sendsRequestId && name === X_KONG_REQUEST_ID)) out.push(name, value);
  }
  if (sendsRequestId) out.push(X_KONG_REQUEST_ID, ctx.requestId);
  return out;
}

/** From a trusted proxy (TOLLGATE_TRUSTED_IPS), its X-Forwarded-* go on where it sent them, as in Kong. */
function pushTrustedForwarded(out: string[], ctx: RequestContext, clientHost: string): void {
  out.push(
    X_FORWARDED_PROTO,
    ctx.trustedForwarded(X_FORWARDED_PROTO) ?? ctx.scheme,
    X_FORWARDED_HOST,
    ctx.trustedForwarded(X_FORWARDED_HOST) ?? hostWithoutPort(clientHost),
    X_FORWARDED_PORT,
    ctx.trustedForwarded(X_FORWARDED_PORT) ?? String(ctx.port),
    X_FORWARDED_PATH,
    ctx.trustedForwarded(X_FORWARDED_PATH) ?? ctx.rawPath,
  );
  const prefix = ctx.trustedForwarded(X_FORWARDED_PREFIX) ?? strippedPrefix(ctx);
  if (prefix !== null) out.push(X_FORWARDED_PREFIX, prefix);
}

function isRemoved(lower: string, edits: Map<string, string | null> | null, named: Set<string> | null): boolean {
  return (edits !== null && edits.has(lower)) || (named !== null && named.has(lower));
}
