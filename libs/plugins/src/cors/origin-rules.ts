/**
 * Kong's CORS origin rules (plugins/cors/handler.lua), decided once per config: which
 * Access-Control-Allow-Origin a request origin gets.
 */

/** An entry of `origins` as Kong reads it: a literal origin, or (any other character) a regex. */
interface OriginEntry {
  readonly regex: RegExp | null;
  readonly domain: string;
  /** Entries without ':' are compared with the request origin's host only. */
  readonly byHost: boolean;
}

export interface OriginRules {
  /** No origins, or just `*`: every origin, answered with `*`. */
  readonly allowAll: boolean;
  /** A single literal origin: always answered with it. */
  readonly single: string | null;
  readonly entries: readonly OriginEntry[];
  /** `*` among several entries: a request with an Origin is answered `*`. */
  readonly starAmongMany: boolean;
}

const LITERAL = /^[A-Za-z0-9.:/-]+$/;

/** `scheme://host[:port]` with default ports dropped, and the host; an origin that is no URL is both. */
export function normalizeOrigin(origin: string): { domain: string; host: string } {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return { domain: origin, host: origin };
  }
  if (url.hostname === '') return { domain: origin, host: origin };
  return { domain: `${url.protocol}//${url.host}`, host: url.hostname };
}

function entry(origin: string): OriginEntry {
  const byHost = !origin.includes(':');
  if (LITERAL.test(origin)) return { regex: null, domain: normalizeOrigin(origin).domain, byHost };
  // Kong 0.x did not anchor regexes; an explicit ^ or $ is accepted and the whole must match.
  const body = origin.replace(/^\^/, '').replace(/\$$/, '');
  return { regex: new RegExp(`^(?:${body})$`), domain: '', byHost };
}

export function originRules(origins: readonly string[] | null): OriginRules {
  const list = origins ?? [];
  const allowAll = list.length === 0 || (list.length === 1 && list[0] === '*');
  const single = list.length === 1 && LITERAL.test(list[0]!) ? list[0]! : null;
  const entries = allowAll || single !== null ? [] : list.filter((o) => o !== '*').map(entry);
  return { allowAll, single, entries, starAmongMany: !allowAll && list.includes('*') };
}

/** The origin to allow for this request origin, or null when none of the entries matches. */
export function matchOrigin(rules: OriginRules, requestOrigin: string): string | null {
  const normalized = normalizeOrigin(requestOrigin);
  for (const e of rules.entries) {
    const found = e.regex === null ? normalized.domain === e.domain : e.regex.test(e.byHost ? normalized.host : normalized.domain);
    if (found) return normalized.domain;
  }
  return null;
}
