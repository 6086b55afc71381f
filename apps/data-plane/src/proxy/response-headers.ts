import { connectionTokens, equalsLower, isHopByHopResponseHeader } from './header-names';
import { VIA_VALUE } from './upstream-headers';

const VIA = 'Via';
const UPSTREAM_LATENCY = 'X-Tollgate-Upstream-Latency';
const PROXY_LATENCY = 'X-Tollgate-Proxy-Latency';
const COMMA = ', ';

function isVia(name: string): boolean {
  return name.length === 3 && (name.charCodeAt(0) | 0x20) === 0x76 && (name.charCodeAt(1) | 0x20) === 0x69 && (name.charCodeAt(2) | 0x20) === 0x61;
}

/** Rare: the upstream's Connection header declared more headers hop-by-hop. */
function withoutNamed(headers: string[], named: ReadonlySet<string>): string[] {
  const kept: string[] = [];
  for (let i = 0; i < headers.length; i += 2) if (!named.has(headers[i]!.toLowerCase())) kept.push(headers[i]!, headers[i + 1]!);
  return kept;
}

/**
 * The client response headers from the upstream's raw ones (latin1, so any byte passes through
 * unchanged): hop-by-hop headers dropped, Via extended, latency headers and plugin headers added.
 */
export function clientResponseHeaders(
  raw: readonly Buffer[],
  upstreamLatencyMs: number,
  proxyLatencyMs: number,
  pluginHeaders: readonly string[] | null,
): string[] {
  let out: string[] = [];
  let via: string | null = null;
  let connection: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toString('latin1');
    if (isHopByHopResponseHeader(name)) {
      if (equalsLower(name, 'connection')) connection = raw[i + 1]!.toString('latin1');
      continue;
    }
    const value = raw[i + 1]!.toString('latin1');
    if (isVia(name)) via = via === null ? value : via + COMMA + value;
    else out.push(name, value);
  }
  const named = connectionTokens(connection);
  if (named !== null) out = withoutNamed(out, named);
  out.push(VIA, via === null ? VIA_VALUE : via + COMMA + VIA_VALUE, UPSTREAM_LATENCY, String(upstreamLatencyMs), PROXY_LATENCY, String(proxyLatencyMs));
  if (pluginHeaders !== null) for (let i = 0; i < pluginHeaders.length; i++) out.push(pluginHeaders[i]!);
  return out;
}
