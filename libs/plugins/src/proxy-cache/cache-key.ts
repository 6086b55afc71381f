import { createHash } from 'node:crypto';

/**
 * Kong's proxy-cache key (plugins/proxy-cache/cache_key.lua): sha256 hex of
 * `prefix|method|path|params|headers`, the prefix being `consumer:route`, `route` or `default`.
 */
export interface KeyConfig {
  readonly varyQueryParams: readonly string[] | null;
  readonly varyHeaders: readonly string[] | null;
  readonly ignoreUriCase: boolean;
}

/** `name=value` joined by ':' for the named fields that are present; several values sorted, joined by ','. */
function fieldsKey(values: (name: string) => string[] | null, names: readonly string[]): string {
  const out: string[] = [];
  for (const name of names) {
    const found = values(name);
    if (found !== null) out.push(`${name}=${[...found].sort().join(',')}`);
  }
  return out.join(':');
}

export function paramsKey(rawQuery: string, names: readonly string[] | null): string {
  if (rawQuery === '') return '';
  const params = new URLSearchParams(rawQuery);
  const selected = names !== null && names.length > 0 ? names : [...new Set(params.keys())].sort();
  return fieldsKey((name) => (params.has(name) ? params.getAll(name) : null), selected);
}

export function headersKey(header: (lowerName: string) => string | string[] | undefined, names: readonly string[] | null): string {
  if (names === null || names.length === 0) return '';
  return fieldsKey((name) => {
    const value = header(name.toLowerCase());
    return value === undefined ? null : Array.isArray(value) ? value : [value];
  }, names);
}

export function cacheKey(consumerId: string | null, routeId: string | null, method: string, path: string, params: string, headers: string): string {
  const prefix = consumerId !== null && routeId !== null ? `${consumerId}:${routeId}` : (routeId ?? 'default');
  return createHash('sha256').update(`${prefix}|${method}|${path}|${params}|${headers}`).digest('hex');
}
