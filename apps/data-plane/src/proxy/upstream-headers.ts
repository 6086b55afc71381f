import {
  classifyRequestHeader,
  connectionTokens,
  HEADER_DROP,
  HEADER_HOST,
  HEADER_PASS,
  HEADER_VIA,
  HEADER_X_FORWARDED_FOR,
} from './header-names';
import type { RequestContext } from './request-context';

const HOST = 'host';
const X_FORWARDED_FOR = 'x-forwarded-for';
const X_FORWARDED_PROTO = 'x-forwarded-proto';
const X_FORWARDED_HOST = 'x-forwarded-host';
const X_FORWARDED_PORT = 'x-forwarded-port';
const X_FORWARDED_PATH = 'x-forwarded-path';
const X_REAL_IP = 'x-real-ip';
const VIA = 'via';
export const VIA_VALUE = '1.1 tollgate';
const COMMA = ', ';

/** The Host header's name part: `[::1]:8000` -> `[::1]`, `api.test:8000` -> `api.test`. */
export function hostWithoutPort(host: string): string {
  const colon = host.lastIndexOf(':');
  if (colon === -1 || host.indexOf(']', colon) !== -1) return host;
  return host.slice(0, colon);
}

/**
 * The headers of the upstream request, flat `[name, value, ...]` for undici: the client's minus
 * hop-by-hop ones (and those its Connection header names) and minus plugin removals, then Host,
 * X-Forwarded-*, X-Real-IP, Via and plugin additions. Returns null when the request carries two
 * Host headers: which one the upstream would honour is ambiguous (a smuggling vector).
 */
export function upstreamRequestHeaders(ctx: RequestContext, hostHeader: string): string[] | null {
  const raw = ctx.req.rawHeaders;
  const edits = ctx.headerEdits;
  const named = connectionTokens(ctx.req.headers.connection);
  const out: string[] = [];
  let forwardedFor: string | null = null;
  let via: string | null = null;
  let hosts = 0;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    switch (classifyRequestHeader(name)) {
      case HEADER_PASS:
        if ((edits === null && named === null) || !isRemoved(name.toLowerCase(), edits, named)) out.push(name, raw[i + 1]!);
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
  out.push(
    HOST,
    hostHeader,
    X_FORWARDED_FOR,
    forwardedFor === null ? ctx.clientIp : forwardedFor + COMMA + ctx.clientIp,
    X_FORWARDED_PROTO,
    ctx.scheme,
    X_FORWARDED_HOST,
    hostWithoutPort(clientHost),
    X_FORWARDED_PORT,
    String(ctx.port),
    X_FORWARDED_PATH,
    ctx.rawPath,
    X_REAL_IP,
    ctx.clientIp,
    VIA,
    via === null ? VIA_VALUE : via + COMMA + VIA_VALUE,
  );
  if (edits !== null) for (const [name, value] of edits) if (value !== null) out.push(name, value);
  return out;
}

function isRemoved(lower: string, edits: Map<string, string | null> | null, named: Set<string> | null): boolean {
  return (edits !== null && edits.has(lower)) || (named !== null && named.has(lower));
}
