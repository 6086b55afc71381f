/** Cache-Control directives (RFC 7234 5.2), names lower-cased; a directive without a value is true. */
export type Directives = ReadonlyMap<string, string | true>;

const NONE: Directives = new Map();

export function parseDirectives(header: string | undefined): Directives {
  if (header === undefined || header === '') return NONE;
  const out = new Map<string, string | true>();
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    const name = (eq === -1 ? part : part.slice(0, eq)).trim().toLowerCase();
    if (name === '') continue;
    out.set(name, eq === -1 ? true : part.slice(eq + 1).trim().replace(/^"|"$/g, ''));
  }
  return out;
}

export function seconds(directives: Directives, name: string): number | null {
  const value = directives.get(name);
  if (value === undefined || value === true) return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

/** Kong's calculate_resource_ttl: s-maxage, else max-age, else Expires; never below 0. */
export function resourceTtl(directives: Directives, expires: string | undefined, nowSeconds: number): number {
  let maxAge = seconds(directives, 's-maxage') ?? seconds(directives, 'max-age');
  if (maxAge === null && expires !== undefined) {
    const at = Date.parse(expires);
    if (!Number.isNaN(at)) maxAge = Math.floor(at / 1000) - nowSeconds;
  }
  return maxAge === null ? 0 : Math.max(maxAge, 0);
}
