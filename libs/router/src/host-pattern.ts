import { splitHostPort } from '@tollgate/config';

/** A route host (or SNI) as the router compares it: lower-cased, wildcard and port split off. */
export interface HostPattern {
  /** As configured, lower-cased: what RouteMatch.matchedHost reports. */
  readonly pattern: string;
  /** `exact` compares the whole name; `suffix` is `*.a.com`; `prefix` is `a.*`. */
  readonly kind: 'exact' | 'suffix' | 'prefix';
  /** The name without its `*`: `a.com`, `.a.com` or `a.`. */
  readonly value: string;
  /** 0 when any port matches. */
  readonly port: number;
}

const COLON = 0x3a;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;

/** Null when `raw` is not a host (the config's schema keeps such values out). */
export function parseHostPattern(raw: string): HostPattern | null {
  const pattern = raw.toLowerCase();
  const split = splitHostPort(pattern);
  if (!split || split.host.length === 0) return null;
  const { host } = split;
  const port = split.port ?? 0;
  if (host.startsWith('*')) return { pattern, kind: 'suffix', value: host.slice(1), port };
  if (host.endsWith('*')) return { pattern, kind: 'prefix', value: host.slice(0, -1), port };
  return { pattern, kind: 'exact', value: host, port };
}

/** The wildcard must stand for at least one character. */
export function hostMatches(p: HostPattern, name: string): boolean {
  if (p.kind === 'exact') return name === p.value;
  if (name.length <= p.value.length) return false;
  return p.kind === 'suffix' ? name.endsWith(p.value) : name.startsWith(p.value);
}

/** Where the port starts in a Host header value (`a.com:80`, `[::1]:80`), or -1. */
function portColon(host: string): number {
  if (host.charCodeAt(0) === 0x5b) {
    const close = host.indexOf(']');
    return close !== -1 && host.charCodeAt(close + 1) === COLON ? close + 1 : -1;
  }
  return host.indexOf(':');
}

/** A Host header's name, lower-cased, without its port. */
export function requestHostname(host: string): string {
  const colon = portColon(host);
  const name = colon === -1 ? host : host.slice(0, colon);
  return name.toLowerCase();
}

/** A Host header's port; `fallback` (the local port) when it names none. */
export function requestHostPort(host: string, fallback: number): number {
  const colon = portColon(host);
  if (colon === -1 || colon === host.length - 1) return fallback;
  let port = 0;
  for (let i = colon + 1; i < host.length; i++) {
    const c = host.charCodeAt(i);
    if (c < DIGIT_0 || c > DIGIT_9) return fallback;
    port = port * 10 + (c - DIGIT_0);
  }
  return port;
}

/** An SNI as routes compare it: lower-cased, without the trailing dot of an FQDN. */
export function normalizeServerName(sni: string): string {
  const name = sni.toLowerCase();
  return name.length > 1 && name.charCodeAt(name.length - 1) === 0x2e ? name.slice(0, -1) : name;
}
