import type { BasicauthCredential, Consumer, ForeignKey, HmacauthCredential, JwtSecret, Plugin, Route, Service } from '@tollgate/config';
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
  /** Request path as received, before normalisation (a signature over the request line covers it; proxy-cache keys on it, as Kong on `$request`). */
  readonly rawPath: string;
  /** `1.1`, `1.0` or `2.0`. */
  readonly httpVersion: string;
  /** Query string without '?': '' when there is none. */
  readonly rawQuery: string;
  readonly scheme: 'http' | 'https';
  readonly clientIp: string;
  /** The client connection as the gateway sees it: for ids that name where a request came in. */
  connection(): ConnectionInfo;
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

  /** Regex captures of the matched path (`0` the whole match, then positional and named groups); null without. */
  readonly uriCaptures: Readonly<Record<string, string>> | null;

  // What the router matched; null on a request no route matched.
  readonly route: Route | null;
  readonly service: Service | null;

  // Who is calling, once an authentication plugin has run.
  readonly consumer: Consumer | null;
  readonly credential: PluginCredential | null;
  /**
   * Sets the authenticated consumer (and credential) and the X-Consumer-* upstream headers.
   * `identifier` is what X-Credential-Identifier carries (Kong: the key-auth credential's id, the
   * basic-auth and hmac-auth username, the jwt key); the credential's id when absent.
   */
  authenticate(consumer: Consumer, credential: PluginCredential | null, anonymous: boolean, identifier?: string): void;
  /** Consumers and credentials of the config this request runs on, by key. */
  readonly directory: ConsumerDirectory;
  readonly services: PluginServices;

  // What goes upstream.
  setUpstreamHeader(name: string, value: string): void;
  clearUpstreamHeader(name: string): void;
  /** A request header as it goes upstream after earlier plugins' edits; `name` lower-case. */
  upstreamHeader(name: string): string | undefined;
  setUpstreamQuery(rawQuery: string): void;
  /** Replaces the request body sent upstream (after `readBody`); Content-Length follows it. */
  setUpstreamBody(body: Buffer): void;
  /** Method sent upstream instead of the client's. */
  setUpstreamMethod(method: string): void;
  /** Path (without query) sent upstream instead of the routed one. */
  setUpstreamPath(path: string): void;
  /**
   * Streams the body upstream counting its bytes, without buffering it: past `maxBytes` the
   * upstream request is cut and the client answered `refusal` (unless its response has started).
   */
  limitRequestBody(maxBytes: number, refusal: PluginResponse): void;

  // What goes back to the client. In the response phase these act on the upstream's headers.
  /** Sets a response header, replacing any of that name (Kong's `kong.response.set_header`). */
  setResponseHeader(name: string, value: string): void;
  /** Adds a response header beside any of that name (`kong.response.add_header`). */
  addResponseHeader(name: string, value: string): void;
  clearResponseHeader(name: string): void;
  /** A response header (the upstream's, as edited so far, in the response phase); any case. */
  responseHeader(name: string): string | undefined;
  /** Every response header as it stands, flat `[name, value, ...]`. */
  responseHeaderList(): readonly string[];
  /**
   * Response phase: asks for the whole upstream body, so the chain's `responseBody` phase runs.
   * Only then is the body buffered (up to a bound, past which it streams untouched).
   */
  bufferResponseBody(): void;
  /**
   * Answers the client now: no later plugin's access phase runs and nothing goes upstream. In the
   * response phase it replaces the upstream's answer (its body is dropped).
   */
  exit(response: PluginResponse): void;
  /** Per-request data of one plugin instance between its phases, keyed by its prepared config. */
  stash(key: object, value: unknown): void;
  stashed(key: object): unknown;
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

export interface ConnectionInfo {
  readonly localAddress: string;
  readonly localPort: number;
  /** Serial number of the connection in this process, from 1. */
  readonly serial: number;
  /** Requests made so far on the connection, this one included. */
  readonly requests: number;
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
  basicauthCredential(username: string): BasicauthCredential | undefined;
  jwtSecret(key: string): JwtSecret | undefined;
  hmacauthCredential(username: string): HmacauthCredential | undefined;
  /** The consumer's ACL groups; undefined when it has none. */
  consumerGroups(consumerId: string): ConsumerGroups | undefined;
}

/** One consumer's ACL groups, built once per config. */
export interface ConsumerGroups {
  readonly names: ReadonlySet<string>;
  /** The groups as X-Consumer-Groups carries them: `a, b`. */
  readonly header: string;
}

/**
 * A response a plugin answers with. Build it once (module constant or in `prepare`), never per
 * request: `jsonResponse(401, 'No API key found in request')`.
 */
export interface PluginResponse {
  readonly status: number;
  readonly body: Buffer;
  /** '' sends no Content-Type. */
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
  /** Adds `amount` (default one; 0 only reads) to `key`'s count in each window and returns the counts after it. */
  increment(key: string, windows: readonly CounterWindow[], amount?: number): WindowCounts | Promise<WindowCounts>;
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
  /** `plugin` is the instance being prepared (its id names it in messages such as cache purges). */
  prepare?(config: Config, plugin: Plugin): Prepared;
  /** Global plugins only, before routing. */
  rewrite?(ctx: PluginContext, config: Prepared): void | Promise<void>;
  access?(ctx: PluginContext, config: Prepared): void | Promise<void>;
  /** After the upstream answered, before the response head goes to the client. */
  response?(ctx: PluginContext, config: Prepared): void;
  /**
   * The whole upstream body, when a plugin asked for it in the response phase: returns the body
   * to send instead (Content-Length follows it), or undefined to keep it.
   */
  responseBody?(ctx: PluginContext, config: Prepared, body: Buffer): Buffer | undefined;
  /** After the response went to the client; must not throw or wait. */
  log?(ctx: PluginContext, config: Prepared): void;
  /**
   * A message the control plane sent every data plane for this plugin (proxy-cache's purges);
   * runs in every serving process, off the request path.
   */
  message?(payload: unknown): void;
}

/** A handler whose config types are erased, as the pipeline holds them. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyPluginHandler = PluginHandler<any, any>;

/** A request refused while its body streams upstream (`limitRequestBody`): the client gets `response`. */
export class RequestRefusedError extends Error {
  constructor(readonly response: PluginResponse) {
    super(`request refused with ${response.status}`);
  }
}

export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`request body larger than ${limit} bytes`);
  }
}
