import type { Plugin } from '@tollgate/config';
import type { PluginContext, PluginHandler, PluginResponse } from '../plugin-handler';
import { parseDirectives, resourceTtl, seconds, type Directives } from './cache-control';
import { cacheKey, headersKey, paramsKey } from './cache-key';
import { matchesContentType, parseMediaTypes, type MediaType } from './media-types';
import { processCache, type CachedResponse } from './memory-cache';
import { proxyCacheSchema } from './schema';

export interface ProxyCacheConfig {
  readonly response_code: readonly number[];
  readonly request_method: readonly string[];
  readonly content_type: readonly string[];
  readonly cache_ttl: number;
  readonly strategy: 'memory';
  readonly cache_control: boolean;
  readonly ignore_uri_case: boolean | null;
  readonly storage_ttl: number | null;
  readonly vary_query_params: readonly string[] | null;
  readonly vary_headers: readonly string[] | null;
  readonly response_headers: { readonly age: boolean; readonly 'X-Cache-Status': boolean; readonly 'X-Cache-Key': boolean };
}

export interface PreparedProxyCache {
  readonly pluginId: string;
  readonly codes: ReadonlySet<number>;
  readonly methods: ReadonlySet<string>;
  readonly contentTypes: readonly MediaType[];
  readonly cacheTtl: number;
  readonly storageTtl: number | null;
  readonly cacheControl: boolean;
  readonly ignoreUriCase: boolean;
  readonly varyQuery: readonly string[] | null;
  readonly varyHeaders: readonly string[] | null;
  readonly sendAge: boolean;
  readonly sendStatus: boolean;
  readonly sendKey: boolean;
}

/** A miss or refresh in flight: what the response phases need to store the answer. */
interface Pending {
  readonly key: string;
  headers: string[] | null;
  ttl: number;
}

const STATUS = 'X-Cache-Status';
const KEY = 'X-Cache-Key';
const GATEWAY_TIMEOUT: PluginResponse = Object.freeze({ status: 504, body: Buffer.alloc(0), contentType: '', headers: [] });
/** Not replayed from the cache: per-connection, per-request or recomputed on every answer. */
const NOT_STORED = /^(connection|keep-alive|proxy-authenticate|proxy-authorization|te|trailers|transfer-encoding|upgrade|content-length|content-type|via|age|x-cache-status|x-cache-key|x-tollgate-.*-latency|.*ratelimit-remaining.*)$/i;

function prepare(config: ProxyCacheConfig, plugin?: Plugin): PreparedProxyCache {
  return Object.freeze({
    pluginId: plugin?.id ?? 'default',
    codes: new Set(config.response_code),
    methods: new Set(config.request_method),
    contentTypes: parseMediaTypes(config.content_type),
    cacheTtl: config.cache_ttl,
    storageTtl: config.storage_ttl,
    cacheControl: config.cache_control,
    ignoreUriCase: config.ignore_uri_case === true,
    varyQuery: config.vary_query_params,
    varyHeaders: config.vary_headers,
    sendAge: config.response_headers.age,
    sendStatus: config.response_headers['X-Cache-Status'],
    sendKey: config.response_headers['X-Cache-Key'],
  });
}

function debug(ctx: PluginContext): boolean {
  return ctx.header('kong-debug') !== undefined;
}

function signal(ctx: PluginContext, conf: PreparedProxyCache, status: string): void {
  if (conf.sendStatus || debug(ctx)) ctx.setResponseHeader(STATUS, status);
}

function requestKey(ctx: PluginContext, conf: PreparedProxyCache): string {
  const path = conf.ignoreUriCase ? ctx.rawPath.toLowerCase() : ctx.rawPath;
  const headers = headersKey((name) => ctx.headers[name], conf.varyHeaders);
  return cacheKey(ctx.consumer?.id ?? null, ctx.route?.id ?? null, ctx.method, path, paramsKey(ctx.rawQuery, conf.varyQuery), headers);
}

/** With cache_control: the client's max-age, max-stale and min-fresh can ask for a fresher answer. */
function isStale(conf: PreparedProxyCache, entry: CachedResponse, cc: Directives | null, now: number): boolean {
  const age = now - entry.storedAt;
  if (cc === null) return age > conf.cacheTtl;
  const maxAge = seconds(cc, 'max-age');
  if (maxAge !== null && age > maxAge) return true;
  const maxStale = seconds(cc, 'max-stale');
  if (maxStale !== null && age - entry.ttl > maxStale) return true;
  const minFresh = seconds(cc, 'min-fresh');
  return minFresh !== null && entry.ttl - age < minFresh;
}

/** X-Cache-Key is already set by access; the entry's headers, then Age and the Hit status. */
function hit(ctx: PluginContext, conf: PreparedProxyCache, entry: CachedResponse, now: number): void {
  const headers = [...entry.headers];
  const all = debug(ctx);
  if (conf.sendAge || all) headers.push('Age', String(Math.floor(now - entry.storedAt)));
  if (conf.sendStatus || all) headers.push(STATUS, 'Hit');
  ctx.exit({ status: entry.status, body: entry.body, contentType: entry.contentType, headers });
}

function access(ctx: PluginContext, conf: PreparedProxyCache): void {
  const cc = conf.cacheControl ? parseDirectives(ctx.header('cache-control')) : null;
  if (!conf.methods.has(ctx.method) || (cc !== null && (cc.has('no-store') || cc.has('no-cache') || ctx.header('authorization') !== undefined))) {
    return signal(ctx, conf, 'Bypass');
  }
  const key = requestKey(ctx, conf);
  if (conf.sendKey || debug(ctx)) ctx.setResponseHeader(KEY, key);
  const now = Date.now() / 1000;
  const entry = processCache.fetch(conf.pluginId, key, now);
  if (entry === undefined) {
    if (cc?.has('only-if-cached')) return ctx.exit(GATEWAY_TIMEOUT);
    ctx.stash(conf, { key, headers: null, ttl: 0 } satisfies Pending);
    return signal(ctx, conf, 'Miss');
  }
  if (isStale(conf, entry, cc, now)) {
    ctx.stash(conf, { key, headers: null, ttl: 0 } satisfies Pending);
    return signal(ctx, conf, 'Refresh');
  }
  hit(ctx, conf, entry, now);
}

/** Kong's cacheable_response: status, media type, and with cache_control the upstream's directives. */
function cacheableTtl(ctx: PluginContext, conf: PreparedProxyCache): number {
  if (!conf.codes.has(ctx.status)) return 0;
  if (!matchesContentType(conf.contentTypes, ctx.responseHeader('content-type'))) return 0;
  if (!conf.cacheControl) return conf.cacheTtl;
  const cc = parseDirectives(ctx.responseHeader('cache-control'));
  if (cc.has('private') || cc.has('no-store') || cc.has('no-cache')) return 0;
  return resourceTtl(cc, ctx.responseHeader('expires'), Math.floor(Date.now() / 1000));
}

function response(ctx: PluginContext, conf: PreparedProxyCache): void {
  const pending = ctx.stashed(conf) as Pending | undefined;
  if (pending === undefined) return;
  const ttl = cacheableTtl(ctx, conf);
  if (ttl <= 0) {
    ctx.stash(conf, undefined);
    return signal(ctx, conf, 'Bypass');
  }
  pending.ttl = ttl;
  const list = ctx.responseHeaderList();
  const kept: string[] = [];
  for (let i = 0; i < list.length; i += 2) if (!NOT_STORED.test(list[i]!)) kept.push(list[i]!, list[i + 1]!);
  pending.headers = kept;
  ctx.bufferResponseBody();
}

export const proxyCacheHandler: PluginHandler<ProxyCacheConfig, PreparedProxyCache> = {
  name: proxyCacheSchema.name,
  version: proxyCacheSchema.version,
  priority: proxyCacheSchema.priority,
  prepare,
  access,
  response,
  responseBody(ctx, conf, body) {
    const pending = ctx.stashed(conf) as Pending | undefined;
    if (pending?.headers == null) return undefined;
    const now = Date.now() / 1000;
    const keepFor = conf.storageTtl ?? pending.ttl;
    const contentType = ctx.responseHeader('content-type') ?? '';
    const size = body.length + pending.headers.reduce((n, h) => n + h.length, 0) + 200;
    processCache.store(conf.pluginId, pending.key, { status: ctx.status, headers: pending.headers, contentType, body, storedAt: now, ttl: pending.ttl, expiresAt: now + keepFor, size });
    return undefined;
  },
  message(payload) {
    const { plugin, key } = payload as { plugin?: string | null; key?: string | null };
    processCache.purge(plugin ?? null, key ?? null);
  },
};
