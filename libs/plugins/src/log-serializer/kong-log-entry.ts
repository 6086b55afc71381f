import type { Consumer, Route, Service } from '@tollgate/config';
import type { LogTry, PluginContext } from '../plugin-handler';

type Headers = Readonly<Record<string, string | string[] | number | undefined>>;
type QueryValue = string | true | (string | true)[];

/** Kong's log serializer output (kong.log.serialize), the JSON every log plugin sends. */
export interface KongLogEntry {
  readonly request: {
    readonly uri: string;
    readonly url: string;
    readonly querystring: Record<string, QueryValue>;
    readonly method: string;
    readonly headers: Headers;
    readonly size: number;
  };
  readonly upstream_uri: string;
  readonly upstream_status: string;
  readonly response: { readonly status: number; readonly headers: Headers; readonly size: number };
  readonly latencies: { readonly kong: number; readonly proxy: number; readonly request: number; readonly receive: number };
  readonly tries: readonly LogTry[];
  readonly authenticated_entity: { readonly id: string; readonly consumer_id: { readonly id: string } | null } | null;
  readonly route: Route | null;
  readonly service: Service | null;
  readonly consumer: Consumer | null;
  readonly client_ip: string;
  readonly started_at: number;
  readonly source: 'service' | 'kong';
}

/** Kong redacts these request headers in every log entry (kong/pdk/log.lua). */
const REDACTED_HEADERS = ['authorization', 'proxy-authorization'];
const REDACTED = 'REDACTED';

function requestHeaders(headers: PluginContext['headers']): Headers {
  let copy: Record<string, string | string[] | undefined> | null = null;
  for (const name of REDACTED_HEADERS) {
    if (headers[name] === undefined) continue;
    copy ??= { ...headers };
    copy[name] = REDACTED;
  }
  return copy ?? headers;
}

/** Kong's kong.request.get_query(): repeated names become arrays, a name without '=' is `true`. */
export function queryTable(args: URLSearchParams, rawQuery: string): Record<string, QueryValue> {
  const out: Record<string, QueryValue> = {};
  if (rawQuery === '') return out;
  const bare = new Set(rawQuery.split('&').filter((part) => part !== '' && !part.includes('=')).map((part) => decodeURIComponent(part)));
  for (const [name, raw] of args) {
    const value: string | true = raw === '' && bare.has(name) ? true : raw;
    const seen = out[name];
    if (seen === undefined) out[name] = value;
    else if (Array.isArray(seen)) seen.push(value);
    else out[name] = [seen, value];
  }
  return out;
}

const round = (ms: number) => (ms < 0 ? -1 : Math.round(ms));

/** The log entry of a finished call (log phase only): Kong's shape, latencies in whole ms. */
export function kongLogEntry(ctx: PluginContext): KongLogEntry {
  const facts = ctx.logFacts();
  const uri = facts.requestUri;
  const host = facts.host;
  const credential = ctx.credential;
  return {
    request: {
      uri,
      url: `${ctx.scheme}://${host}${uri}`,
      querystring: queryTable(ctx.queryArgs(), ctx.rawQuery),
      method: ctx.method,
      headers: requestHeaders(ctx.headers),
      size: facts.requestSize,
    },
    upstream_uri: facts.upstreamUri,
    upstream_status: facts.upstreamStatus === null ? '' : String(facts.upstreamStatus),
    response: { status: ctx.status, headers: facts.responseHeaders, size: facts.responseSize },
    latencies: {
      kong: round(facts.kongLatency),
      proxy: round(facts.upstreamLatency),
      request: round(facts.requestLatency),
      receive: 0,
    },
    tries: facts.tries,
    authenticated_entity: credential === null ? null : { id: credential.id, consumer_id: credential.consumer === null ? null : { id: credential.consumer.id } },
    route: ctx.route,
    service: ctx.service,
    consumer: ctx.consumer,
    client_ip: ctx.clientIp,
    started_at: facts.startedAt,
    source: facts.source,
  };
}

/** Config entities are immutable for the life of a config: each is stringified once, then reused. */
const entityJson = new WeakMap<object, string>();

function cachedJson(entity: object | null): string {
  if (entity === null) return 'null';
  let json = entityJson.get(entity);
  if (json === undefined) entityJson.set(entity, (json = JSON.stringify(entity)));
  return json;
}

/**
 * The same entry as `kongLogEntry`, as the JSON text the log plugins send: route, service and
 * consumer come from a per-entity cache, so a call stringifies only what is its own.
 */
export function kongLogJson(ctx: PluginContext): string {
  const e = kongLogEntry(ctx);
  const a = e.authenticated_entity;
  return (
    `{"request":${JSON.stringify(e.request)},"upstream_uri":${JSON.stringify(e.upstream_uri)},"upstream_status":${JSON.stringify(e.upstream_status)},` +
    `"response":${JSON.stringify(e.response)},"latencies":{"kong":${e.latencies.kong},"proxy":${e.latencies.proxy},"request":${e.latencies.request},"receive":0},` +
    `"tries":${JSON.stringify(e.tries)},"authenticated_entity":${a === null ? 'null' : JSON.stringify(a)},` +
    `"route":${cachedJson(e.route)},"service":${cachedJson(e.service)},"consumer":${cachedJson(e.consumer)},` +
    `"client_ip":${JSON.stringify(e.client_ip)},"started_at":${e.started_at},"source":"${e.source}"}`
  );
}
