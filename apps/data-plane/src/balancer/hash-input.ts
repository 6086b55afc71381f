import { randomUUID } from 'node:crypto';
import type { Upstream } from '@tollgate/config';
import type { BalancerRequest } from './types';

type Reader = (req: BalancerRequest) => string | null;

/**
 * What consistent hashing hashes for a request, Kong's `get_value_to_hash`: `hash_on`, and
 * `hash_fallback` when that yields nothing. The readers are chosen once per config. A missing
 * hash_on cookie is generated (a UUID) and must reach the client as Set-Cookie; it is kept per
 * request object so that `pick`, its retries and `cookieToSet` all see the same value.
 */
export class HashInput {
  private readonly primary: Reader;
  private readonly fallback: Reader | null;
  private readonly generated = new WeakMap<BalancerRequest, string>();

  constructor(private readonly upstream: Upstream) {
    this.primary = this.reader(upstream.hash_on, upstream.hash_on_header, upstream.hash_on_query_arg, upstream.hash_on_uri_capture);
    this.fallback =
      upstream.hash_fallback === 'none'
        ? null
        : this.reader(upstream.hash_fallback, upstream.hash_fallback_header, upstream.hash_fallback_query_arg, upstream.hash_fallback_uri_capture);
  }

  value(req: BalancerRequest): string | null {
    const value = this.primary(req);
    if (value !== null || this.fallback === null) return value;
    return this.fallback(req);
  }

  cookieToSet(req: BalancerRequest): string | null {
    const name = this.upstream.hash_on_cookie;
    if (this.upstream.hash_on !== 'cookie' || name === null) return null;
    if (cookieValue(req.headers.cookie, name) !== null) return null;
    return `${name}=${this.generatedCookie(req)}; Path=${this.upstream.hash_on_cookie_path}; SameSite=Lax; HttpOnly`;
  }

  private generatedCookie(req: BalancerRequest): string {
    let value = this.generated.get(req);
    if (value === undefined) {
      value = randomUUID();
      this.generated.set(req, value);
    }
    return value;
  }

  private reader(on: string, header: string | null, queryArg: string | null, capture: string | null): Reader {
    switch (on) {
      case 'consumer':
        return (req) => req.consumerId;
      case 'ip':
        return (req) => req.clientIp;
      case 'header':
        return headerReader((header ?? '').toLowerCase());
      case 'cookie':
        return this.cookieReader(this.upstream.hash_on_cookie ?? '');
      case 'path':
        return (req) => req.path;
      case 'query_arg':
        return (req) => queryArgValue(req.query, queryArg ?? '');
      case 'uri_capture':
        return captureReader(capture ?? '');
      default:
        return () => null;
    }
  }

  private cookieReader(name: string): Reader {
    return (req) => cookieValue(req.headers.cookie, name) ?? this.generatedCookie(req);
  }
}

function headerReader(name: string): Reader {
  return (req) => {
    const value = req.headers[name];
    if (value === undefined) return null;
    // Repeated headers are combined, as nginx does since 1.23 (node already joins most of them).
    return typeof value === 'string' ? value : value.join(', ');
  };
}

function captureReader(group: string): Reader {
  // hasOwn: a group named `constructor` must not read the prototype.
  return (req) => (req.uriCaptures !== null && Object.hasOwn(req.uriCaptures, group) ? req.uriCaptures[group] : null);
}

/** The named cookie's value in a Cookie header (`a=1; b=2`), or null. */
export function cookieValue(header: string | string[] | undefined, name: string): string | null {
  if (header === undefined) return null;
  const text = typeof header === 'string' ? header : header.join('; ');
  let start = 0;
  while (start < text.length) {
    while (text.charCodeAt(start) === 32 || text.charCodeAt(start) === 9) start++;
    let end = text.indexOf(';', start);
    if (end < 0) end = text.length;
    const eq = text.indexOf('=', start);
    if (eq - start === name.length && eq < end && text.startsWith(name, start)) return text.slice(eq + 1, end).trim();
    start = end + 1;
  }
  return null;
}

/**
 * The named query argument as Kong normalises it: an argument without '=' is "true", repeated
 * ones are sorted and joined with ','. Names and values are percent-decoded ('+' is a space).
 */
export function queryArgValue(query: string, name: string): string | null {
  let found: string | null = null;
  let repeated: string[] | null = null;
  for (let start = 0; start < query.length; ) {
    let end = query.indexOf('&', start);
    if (end < 0) end = query.length;
    let eq = query.indexOf('=', start);
    if (eq < 0 || eq > end) eq = -1;
    if (end > start && decodeComponent(query.slice(start, eq < 0 ? end : eq)) === name) {
      const value = eq < 0 ? 'true' : decodeComponent(query.slice(eq + 1, end));
      if (found === null) found = value;
      else (repeated ??= [found]).push(value);
    }
    start = end + 1;
  }
  return repeated === null ? found : repeated.sort().join(',');
}

function decodeComponent(text: string): string {
  if (!text.includes('%') && !text.includes('+')) return text;
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text; // malformed escapes are kept as sent, as nginx does
  }
}
