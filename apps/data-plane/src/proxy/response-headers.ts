import {
  classifyResponseHeader,
  connectionTokens,
  RESPONSE_CONNECTION,
  RESPONSE_DROP,
  RESPONSE_SERVER,
  RESPONSE_TRAILER,
  RESPONSE_VIA,
} from './header-names';
import {
  SERVER,
  SERVER_TOKEN,
  VIA,
  VIA_TOKEN,
  X_KONG_PROXY_LATENCY,
  X_KONG_REQUEST_ID,
  X_KONG_UPSTREAM_LATENCY,
  X_KONG_UPSTREAM_STATUS,
  X_TOLLGATE_PROXY_LATENCY,
  X_TOLLGATE_UPSTREAM_LATENCY,
  type HeaderPolicy,
} from './header-policy';
import type { RequestContext } from './request-context';

const COMMA = ', ';

/** Rare: the upstream's Connection header declared more headers hop-by-hop. */
function withoutNamed(headers: string[], named: ReadonlySet<string>): string[] {
  const kept: string[] = [];
  for (let i = 0; i < headers.length; i += 2) if (!named.has(headers[i]!.toLowerCase())) kept.push(headers[i]!, headers[i + 1]!);
  return kept;
}

/**
 * The client response headers from the upstream's raw ones (latin1, so any byte passes through
 * unchanged), as Kong's header_filter leaves them: hop-by-hop headers dropped (Trailer too, unless
 * the client asked for trailers), then, as TOLLGATE_HEADERS says, Via extended, Server added when
 * the upstream sent none, the latency headers and X-Kong-Request-Id; plugin headers last.
 */
export function clientResponseHeaders(
  raw: readonly Buffer[],
  upstreamLatencyMs: number,
  proxyLatencyMs: number,
  ctx: RequestContext,
  upstreamStatus: number,
): string[] {
  const policy = ctx.headerPolicy;
  let out: string[] = [];
  let via: string | null = null;
  let server = false;
  let connection: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toString('latin1');
    switch (classifyResponseHeader(name)) {
      case RESPONSE_DROP:
        continue;
      case RESPONSE_CONNECTION:
        connection = raw[i + 1]!.toString('latin1');
        continue;
      case RESPONSE_TRAILER:
        if (!ctx.trailersRequested) continue;
        break;
      case RESPONSE_VIA:
        if (policy.via) {
          const value = raw[i + 1]!.toString('latin1');
          via = via === null ? value : via + COMMA + value;
          continue;
        }
        break;
      case RESPONSE_SERVER:
        server = true;
        break;
    }
    out.push(name, raw[i + 1]!.toString('latin1'));
  }
  const named = connectionTokens(connection);
  if (named !== null) out = withoutNamed(out, named);
  if (policy.via) out.push(VIA, via === null ? VIA_TOKEN : via + COMMA + VIA_TOKEN);
  if (policy.server && !server) out.push(SERVER, SERVER_TOKEN);
  pushProxiedLatencies(out, policy, upstreamLatencyMs, proxyLatencyMs);
  if (policy.upstreamStatus) out.push(X_KONG_UPSTREAM_STATUS, String(upstreamStatus));
  if (policy.requestId) out.push(X_KONG_REQUEST_ID, ctx.requestId);
  const pluginHeaders = ctx.responseHeaders;
  if (pluginHeaders !== null) for (let i = 0; i < pluginHeaders.length; i++) out.push(pluginHeaders[i]!);
  return out;
}

/** X-Kong-Upstream-Latency and X-Kong-Proxy-Latency (and Tollgate's names when asked for): proxied responses only. */
export function pushProxiedLatencies(out: string[], policy: HeaderPolicy, upstreamLatencyMs: number, proxyLatencyMs: number): void {
  if (policy.upstreamLatency) out.push(X_KONG_UPSTREAM_LATENCY, String(upstreamLatencyMs));
  if (policy.proxyLatency) out.push(X_KONG_PROXY_LATENCY, String(proxyLatencyMs));
  if (policy.tollgateUpstreamLatency) out.push(X_TOLLGATE_UPSTREAM_LATENCY, String(upstreamLatencyMs));
  if (policy.tollgateProxyLatency) out.push(X_TOLLGATE_PROXY_LATENCY, String(proxyLatencyMs));
}
