import type { Consumer, ForeignKey, Route, Service } from '@tollgate/config';
import type { LogQueues } from './log-queue/log-queues';

/**
 * What a plugin sees of one request, in every phase. The data plane implements it once per
 * request (one object, reused by every plugin), so plugins stay plain objects with no I/O of their
 * own beyond what `services` offers.
 */
export interface PluginContext {
  // The request as the client sent it.
  readonly method: string;
  /**
   * Request path without the query string, normalised as the router matched it (unreserved
   * percent-escapes decoded, dot segments resolved), like Kong's `kong.request.get_path()`.
   */
  readonly path: string;
  /** Query string without '?': '' when there is none. */
  readonly rawQuery: string;
  readonly scheme: 'http' | 'https';
  readonly clientIp: string;
  /** node's IncomingHttpHeaders: lower-case names. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** First value of a request header; `name` must be lower-case. */
  header(name: string): string | undefined;
  /** The query arguments, parsed on first use and cached for the request. */
  queryArgs(): URLSearchParams;
  /**
   * Reads the whole request body (rejecting with a `BodyTooLargeError` past `limit` bytes). The
   * upstream then receives these bytes instead of the stream, so only plugins that need the body
   * pay for buffering it.
   */
  readBody(limit: number): Promise<Buffer>;

  // What the router matched; null on a request no route matched.
  readonly route: Route | null;
  readonly service: Service | null;

  // Who is calling, once an authentication plugin has run.
  readonly consumer: Consumer | null;
  readonly credential: PluginCredential | null;
  /** Sets the authenticated consumer (and credential) and the X-Consumer-* upstream headers. */
  authenticate(consumer: Consumer, credential: PluginCredential | null, anonymous: boolean): void;
  /** Consumers and credentials of the config this request runs on, by key. */
  readonly directory: ConsumerDirectory;
  readonly services: PluginServices;

  // What goes upstream.
  setUpstreamHeader(name: string, value: string): void;
  clearUpstreamHeader(name: string): void;
  setUpstreamQuery(rawQuery: string): void;
  /** Replaces the request body sent upstream (after `readBody`); Content-Length follows it. */
  setUpstreamBody(body: Buffer): void;

  // What goes back to the client.
  setResponseHeader(name: string, value: string): void;
  /** Answers the client now: no later plugin's access phase runs and nothing goes upstream. */
  exit(response: PluginResponse): void;
  /** Status answered to the client: 0 until the response has started (response and log phases). */
  readonly status: number;

  // For log and tracing plugins.
  /** Facts about the finished call (sizes, latencies, upstream tries); computed on first use, log phase only. */
  logFacts(): RequestLogFacts;
  /** A value a plugin keeps for this request between its phases (a trace context from access to log). */
  pluginState(name: string): unknown;
  setPluginState(name: string, value: unknown): void;
}

/** One attempt at the upstream, as Kong's serializer lists `tries`. */
export interface LogTry {
  readonly ip: string;
  readonly port: number;
  /** ms the balancer took to pick the target (0 here: picking is synchronous). */
  readonly balancer_latency: number;
}

/**
 * What log plugins need beyond the request itself, in Kong's terms (kong.log.serialize): built
 * once per request on first use, only when a log plugin asks.
 */
export interface RequestLogFacts {
  /** Request-target path and query as the client sent them, and its Host header. */
  readonly requestUri: string;
  readonly host: string;
  /** When the request arrived, ms since the epoch (Kong's started_at). */
  readonly startedAt: number;
  /** Bytes received from and sent to the client for this call, headers included. */
  readonly requestSize: number;
  readonly responseSize: number;
  /** ms from arrival to the end of the response (Kong's latencies.request). */
  readonly requestLatency: number;
  /** ms the gateway spent before the upstream request went out, or answering itself (latencies.kong). */
  readonly kongLatency: number;
  /** ms from the upstream request to its response head; -1 when no upstream answered (latencies.proxy). */
  readonly upstreamLatency: number;
  /** Path and query sent upstream; '' when nothing was. */
  readonly upstreamUri: string;
  readonly upstreamStatus: number | null;
  readonly tries: readonly LogTry[];
  readonly responseHeaders: Readonly<Record<string, string | string[] | number | undefined>>;
  /** 'service' when the upstream answered, 'kong' when the gateway or a plugin did. */
  readonly source: 'service' | 'kong';
  /** performance.now() marks for spans; -1 where the step did not happen. */
  readonly marks: {
    readonly start: number;
    readonly routed: number;
    readonly upstreamSent: number;
    readonly upstreamHead: number;
    readonly end: number;
  };
}

/** A credential as authentication plugins hand it over (any `*_credentials` entity fits). */
export interface PluginCredential {
  readonly id: string;
  readonly consumer: ForeignKey | null;
}

/** Indexes built when the config is applied, so lookups never scan. */
export interface ConsumerDirectory {
  /** By id, then by username (how `anonymous` refers to a consumer). */
  consumer(idOrUsername: string): Consumer | undefined;
  keyauthCredential(key: string): PluginCredential | undefined;
}

/**
 * A response a plugin answers with. Build it once (module constant or in `prepare`), never per
 * request: `jsonResponse(401, 'No API key found in request')`.
 */
export interface PluginResponse {
  readonly status: number;
  readonly body: Buffer;
  readonly contentType: string;
  /** Extra headers, flat `[name, value, ...]`. */
  readonly headers: readonly string[];
}

const JSON_TYPE = 'application/json; charset=utf-8';

export function jsonResponse(status: number, message: string, headers: readonly string[] = []): PluginResponse {
  return Object.freeze({ status, body: Buffer.from(JSON.stringify({ message })), contentType: JSON_TYPE, headers });
}

/** One fixed window of a counter: `slot` identifies the period, `start` its UTC-aligned start. */
export interface CounterWindow {
  readonly slot: number;
  readonly name: string;
  /** Window start, ms since the epoch. */
  readonly start: number;
  /** Window length in ms; counters expire with their window. */
  readonly ttlMs: number;
}

/** Counts per window slot (index = `CounterWindow.slot`), including the increment just made. */
export type WindowCounts = ArrayLike<number>;

export interface WindowCounterStore {
  /** Adds one to `key`'s count in each window and returns the counts after the increment. */
  increment(key: string, windows: readonly CounterWindow[]): WindowCounts | Promise<WindowCounts>;
}

/** Where a plugin reaches Redis: Kong's shared `redis` config record. */
export interface RedisConnection {
  readonly host: string | null;
  readonly port: number;
  readonly timeout: number;
  readonly username: string | null;
  readonly password: string | null;
  readonly database: number;
  readonly ssl: boolean;
  readonly ssl_verify: boolean;
  readonly server_name: string | null;
}

/** What the data plane offers plugins beyond the request. */
export interface PluginServices {
  /** Counters shared by every worker of this node. */
  readonly nodeCounters: WindowCounterStore;
  /** Counters shared by every node using that Redis; one client per distinct connection. */
  redisCounters(connection: RedisConnection): WindowCounterStore;
  /** Prefix of every Redis key the data plane writes (per deployment, per test suite). */
  readonly redisKeyPrefix: string;
  /** Logs a warning at most once per interval for the same `topic`: for outages seen per request. */
  warnThrottled(topic: string, message: string, error?: unknown): void;
  /** Log queues of this serving process (each cluster worker has its own), flushed with a bound at shutdown. */
  readonly logQueues: LogQueues;
  /** An object a plugin keeps for the life of this serving process (a metrics store), by name. */
  processState<T>(name: string, create: () => T): T;
}

/**
 * A plugin's behaviour: a plain object. Phases may return a promise (only when they must wait on
 * I/O); the pipeline awaits it before the next plugin. `prepare` runs once per config per plugin
 * instance, off the request path, and its result is what the phases receive as `config`.
 */
export interface PluginHandler<Config = Record<string, unknown>, Prepared = Config> {
  readonly name: string;
  readonly version: string;
  /** Kong's PRIORITY: higher runs first within a phase; ties break by name. */
  readonly priority: number;
  prepare?(config: Config): Prepared;
  /** Global plugins only, before routing. */
  rewrite?(ctx: PluginContext, config: Prepared): void | Promise<void>;
  access?(ctx: PluginContext, config: Prepared): void | Promise<void>;
  /** After the upstream answered, before the response head goes to the client. */
  response?(ctx: PluginContext, config: Prepared): void;
  /** After the response went to the client; must not throw or wait. */
  log?(ctx: PluginContext, config: Prepared): void;
}

/** A handler whose config types are erased, as the pipeline holds them. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyPluginHandler = PluginHandler<any, any>;

export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`request body larger than ${limit} bytes`);
  }
}
