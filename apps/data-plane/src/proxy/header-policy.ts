import { TOLLGATE_VERSION } from '../sync/start-config-sync';
import type { TrustedProxies } from './trusted-proxies';

/**
 * Which of the gateway's own headers go to clients and upstreams, chosen as Kong's `headers` and
 * `headers_upstream` settings choose them (conf_loader: token list, `server_tokens` and
 * `latency_tokens` groups, `off` only as the first token). Read once from TOLLGATE_HEADERS and
 * TOLLGATE_HEADERS_UPSTREAM and frozen; header names and values are constants here so the hot
 * path only tests booleans.
 */
export interface HeaderPolicy {
  /** `Server` on responses the gateway answers itself, and on proxied ones whose upstream sent none. */
  readonly server: boolean;
  /** Tollgate's own `Via` token appended to the upstream's, on proxied responses. */
  readonly via: boolean;
  readonly upstreamLatency: boolean;
  readonly proxyLatency: boolean;
  /** On responses the gateway answers itself (no route, plugin exits, errors before proxying). */
  readonly responseLatency: boolean;
  readonly requestId: boolean;
  /** `X-Kong-Upstream-Status` on proxied responses: the status the upstream answered. */
  readonly upstreamStatus: boolean;
  /** Tollgate's names for the latency headers, sent besides Kong's when asked for. */
  readonly tollgateUpstreamLatency: boolean;
  readonly tollgateProxyLatency: boolean;
  /** `X-Kong-Request-Id` sent upstream (replacing the client's). */
  readonly upstreamRequestId: boolean;
  /** Kong's trusted_ips / real_ip_header / real_ip_recursive; null: no client is believed. */
  readonly trusted: TrustedProxies | null;
}

/** Kong's `kong/<version>`: Tollgate names itself the same way. */
export const SERVER_TOKEN = `tollgate/${TOLLGATE_VERSION}`;
/** `Via` as Kong writes it: the HTTP version to and from the upstream, then the server token. */
export const VIA_TOKEN = `1.1 ${SERVER_TOKEN}`;

export const SERVER = 'Server';
export const VIA = 'Via';
export const X_KONG_UPSTREAM_LATENCY = 'X-Kong-Upstream-Latency';
export const X_KONG_PROXY_LATENCY = 'X-Kong-Proxy-Latency';
export const X_KONG_RESPONSE_LATENCY = 'X-Kong-Response-Latency';
export const X_KONG_REQUEST_ID = 'X-Kong-Request-Id';
export const X_KONG_UPSTREAM_STATUS = 'X-Kong-Upstream-Status';
export const X_TOLLGATE_UPSTREAM_LATENCY = 'X-Tollgate-Upstream-Latency';
export const X_TOLLGATE_PROXY_LATENCY = 'X-Tollgate-Proxy-Latency';

/** Kong's defaults (kong_defaults.lua). */
export const DEFAULT_HEADERS = 'server_tokens, latency_tokens, X-Kong-Request-Id';
export const DEFAULT_HEADERS_UPSTREAM = 'X-Kong-Request-Id';

type Flag = Exclude<keyof HeaderPolicy, 'upstreamRequestId' | 'trusted'>;

/** Kong's HEADER_KEY_TO_NAME tokens (lower-cased), and Tollgate's aliases. */
const TOKENS: Readonly<Record<string, readonly Flag[]>> = {
  server_tokens: ['server', 'via'],
  latency_tokens: ['upstreamLatency', 'proxyLatency', 'responseLatency'],
  server: ['server'],
  via: ['via'],
  'x-kong-upstream-latency': ['upstreamLatency'],
  'x-kong-proxy-latency': ['proxyLatency'],
  'x-kong-response-latency': ['responseLatency'],
  'x-kong-request-id': ['requestId'],
  'x-kong-upstream-status': ['upstreamStatus'],
  // The admin API's header in Kong's list: accepted, nothing on the proxy to put it on.
  'x-kong-admin-latency': [],
  'x-tollgate-upstream-latency': ['tollgateUpstreamLatency'],
  'x-tollgate-proxy-latency': ['tollgateProxyLatency'],
};

function tokensOf(value: string): string[] {
  return value
    .split(',')
    .map((token) => token.trim())
    .filter((token) => token !== '');
}

/** Throws `<variable>: invalid entry '<token>'`, as Kong's conf_loader words it. */
export function readHeaderPolicy(
  headers: string = DEFAULT_HEADERS,
  headersUpstream: string = DEFAULT_HEADERS_UPSTREAM,
  trusted: TrustedProxies | null = null,
): HeaderPolicy {
  const flags: Record<Flag, boolean> = {
    server: false,
    via: false,
    upstreamLatency: false,
    proxyLatency: false,
    responseLatency: false,
    requestId: false,
    upstreamStatus: false,
    tollgateUpstreamLatency: false,
    tollgateProxyLatency: false,
  };
  const downstream = tokensOf(headers);
  for (const token of downstream) {
    if (token !== 'off' && TOKENS[token.toLowerCase()] === undefined) throw new Error(`TOLLGATE_HEADERS: invalid entry '${token}'`);
  }
  // `off` turns everything off only as the first token; later it is ignored (Kong does the same).
  if (downstream[0] !== 'off') for (const token of downstream) for (const flag of TOKENS[token.toLowerCase()] ?? []) flags[flag] = true;
  const upstream = tokensOf(headersUpstream);
  for (const token of upstream) {
    if (token !== 'off' && token.toLowerCase() !== 'x-kong-request-id') throw new Error(`TOLLGATE_HEADERS_UPSTREAM: invalid entry '${token}'`);
  }
  const upstreamRequestId = upstream[0] !== 'off' && upstream.some((token) => token !== 'off');
  return Object.freeze({ ...flags, upstreamRequestId, trusted });
}

export const DEFAULT_HEADER_POLICY: HeaderPolicy = readHeaderPolicy();
