import type { Consumer, Route, Service } from '@tollgate/config';
import type { ConnectionInfo, PluginContext, PluginCredential, PluginResponse, PluginServices, RequestLogFacts } from '@tollgate/plugins';
import { normalizePath, type RouteMatch, type RouteRequest } from '@tollgate/router';
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import type { BalancerRequest } from '../balancer';
import type { ConsumerPlugins } from '../config/plugin-chains';
import type { RoutePlan, RuntimeConfig } from '../config/runtime-config';
import type { SubscriptionPeriod } from '../plans/subscription-periods';
import { DEFAULT_HEADER_POLICY, type HeaderPolicy } from './header-policy';
import { findHeader, removeHeader } from './header-list';
import { readRequestBody, resumedBody } from './request-body';
import { limitedBody } from './limited-body';
import { connectionInfo } from './connection-serials';
import { nextRequestId } from './request-id';
import { CallLogFacts, type CallEnd } from './request-log-facts';

const X_CONSUMER_ID = 'x-consumer-id';
const X_CONSUMER_CUSTOM_ID = 'x-consumer-custom-id';
const X_CONSUMER_USERNAME = 'x-consumer-username';
const X_CREDENTIAL_IDENTIFIER = 'x-credential-identifier';
const X_ANONYMOUS_CONSUMER = 'x-anonymous-consumer';
const CONTENT_LENGTH = 'content-length';
const HOST = 'host';
const EMPTY_HEADERS: readonly string[] = Object.freeze([]);

/** The path and query of a request-target, origin-form or absolute-form (`http://host/p?q`). */
function splitTarget(url: string): [string, string] {
  let start = 0;
  if (url.charCodeAt(0) !== 0x2f) {
    const authority = url.indexOf('//');
    start = authority === -1 ? 0 : url.indexOf('/', authority + 2);
    if (start === -1) return ['/', ''];
  }
  const q = url.indexOf('?', start);
  return q === -1 ? [start === 0 ? url : url.slice(start), ''] : [url.slice(start, q), url.slice(q + 1)];
}

/**
 * One request's state from routing to the log phase: what the router needs, what plugins see and
 * change, and what goes upstream. One object per request; plugins share it.
 */
export class RequestContext implements PluginContext, RouteRequest, BalancerRequest {
  readonly method: string;
  /** Path as received, before normalisation (X-Forwarded-Path). */
  readonly rawPath: string;
  readonly path: string;
  readonly rawQuery: string;
  /** The request-target had a `?`, even with nothing after it: Kong keeps `/x?` as is upstream. */
  readonly queryMark: boolean;
  readonly scheme: 'http' | 'https';
  /** The client's address: the connection's, or from the real-IP header of a trusted proxy. */
  readonly clientIp: string;
  /** The connection's peer address (nginx's `$realip_remote_addr`). */
  readonly connectionIp: string;
  /** The connection comes from a trusted proxy (TOLLGATE_TRUSTED_IPS): its X-Forwarded-* are believed. */
  readonly trustedClient: boolean;
  readonly port: number;
  readonly startedAt: number;

  route: Route | null = null;
  service: Service | null = null;
  match: RouteMatch | null = null;
  plan: RoutePlan | null = null;
  consumer: Consumer | null = null;
  credential: PluginCredential | null = null;
  consumerPlugins: ConsumerPlugins | undefined = undefined;
  status = 0;

  /** Upstream header changes by lower-case name: a value to set, or null to remove. */
  headerEdits: Map<string, string | null> | null = null;
  upstreamQuery: string | null = null;
  /** Replaces the client's body stream upstream once a plugin has read it. */
  upstreamBody: Buffer | Readable | null = null;
  /** Host header sent upstream instead of the route's choice (request-transformer's replace). */
  upstreamHost: string | null = null;
  upstreamMethod: string | null = null;
  upstreamPath: string | null = null;
  /** Headers for the client, flat `[name, value, ...]`, set before the upstream answered. */
  responseHeaders: string[] | null = null;
  /** The client response's headers once the upstream answered: the response phase edits these. */
  clientHeaders: string[] | null = null;
  /** A response-phase plugin asked for the whole upstream body. */
  responseBodyWanted = false;
  exitResponse: PluginResponse | null = null;
  /** The plan quota this call reserved, given back at its end if it is a 5xx the plan does not bill. */
  quotaHeld: SubscriptionPeriod | null = null;
  /** The client sent `TE: trailers`: the upstream is told so, and its Trailer header relayed. */
  trailersRequested = false;
  private id: string | null = null;
  private bufferedBody: Buffer | null = null;
  private stashes: Map<object, unknown> | null = null;
  private args: URLSearchParams | null = null;
  /** Set only when the route has log plugins: when routing finished, and how the call ended. */
  routedAt = -1;
  callEnd: CallEnd | null = null;
  private facts: RequestLogFacts | null = null;
  private states: Map<string, unknown> | null = null;

  constructor(
    readonly req: IncomingMessage,
    readonly config: RuntimeConfig,
    readonly services: PluginServices,
    https: boolean,
    startedAt: number,
    /** Which of Kong's headers the gateway sends (TOLLGATE_HEADERS, TOLLGATE_HEADERS_UPSTREAM). */
    readonly headerPolicy: HeaderPolicy = DEFAULT_HEADER_POLICY,
  ) {
    this.method = req.method ?? 'GET';
    const url = req.url ?? '/';
    const [rawPath, rawQuery] = splitTarget(url);
    this.rawPath = rawPath;
    this.path = normalizePath(rawPath);
    this.rawQuery = rawQuery;
    this.queryMark = rawQuery !== '' || url.charCodeAt(url.length - 1) === 0x3f;
    this.scheme = https ? 'https' : 'http';
    const connectionIp = req.socket.remoteAddress ?? '';
    const trusted = headerPolicy.trusted;
    this.connectionIp = connectionIp;
    this.trustedClient = trusted !== null && trusted.has(connectionIp);
    this.clientIp = this.trustedClient ? trusted!.clientAddress(req.headers, connectionIp) : connectionIp;
    this.port = req.socket.localPort ?? 0;
    this.startedAt = startedAt;
  }

  // RouteRequest and BalancerRequest views.
  get protocol(): 'http' | 'https' {
    return this.scheme;
  }
  get host(): string {
    return this.req.headers.host ?? '';
  }
  get sni(): string | undefined {
    return (this.req.socket as TLSSocket & { servername?: string | false }).servername || undefined;
  }
  get httpVersion(): string {
    return this.req.httpVersion;
  }
  get headers(): IncomingMessage['headers'] {
    return this.req.headers;
  }
  get headersDistinct(): IncomingMessage['headersDistinct'] {
    return this.req.headersDistinct;
  }
  get query(): string {
    return this.rawQuery;
  }
  get uriCaptures(): Readonly<Record<string, string>> | null {
    return this.match?.captures ?? null;
  }
  get consumerId(): string | null {
    return this.consumer?.id ?? this.credential?.id ?? null;
  }
  get directory(): RuntimeConfig['directory'] {
    return this.config.directory;
  }
  get exited(): boolean {
    return this.exitResponse !== null;
  }
  /** X-Kong-Request-Id: made on first use, one per request. */
  get requestId(): string {
    return (this.id ??= nextRequestId());
  }

  /** A trusted proxy's X-Forwarded-* value, or null (from an untrusted client, never believed). */
  trustedForwarded(lowerName: string): string | null {
    if (!this.trustedClient) return null;
    const value = this.req.headers[lowerName];
    return typeof value === 'string' ? value : null;
  }

  connection(): ConnectionInfo {
    return connectionInfo(this.req.socket, this.req);
  }

  header(name: string): string | undefined {
    const value = this.req.headers[name];
    return typeof value === 'string' || value === undefined ? value : value[0];
  }

  queryArgs(): URLSearchParams {
    return (this.args ??= new URLSearchParams(this.rawQuery));
  }

  async readBody(limit: number): Promise<Buffer> {
    if (this.bufferedBody !== null) return this.bufferedBody;
    const read = await readRequestBody(this.req, limit);
    if ('tooLarge' in read) {
      this.upstreamBody = Readable.from(resumedBody(read.head, this.req), { objectMode: false });
      throw read.tooLarge;
    }
    this.bufferedBody = read.whole;
    this.upstreamBody = read.whole;
    return read.whole;
  }

  authenticate(consumer: Consumer, credential: PluginCredential | null, anonymous: boolean, identifier?: string): void {
    this.consumer = consumer;
    this.credential = credential;
    this.consumerPlugins = this.config.consumerPlugins.get(consumer.id);
    // Set or cleared every time, so a client can never pass its own X-Consumer-* upstream.
    this.setUpstreamHeader(X_CONSUMER_ID, consumer.id);
    this.editHeader(X_CONSUMER_CUSTOM_ID, consumer.custom_id);
    this.editHeader(X_CONSUMER_USERNAME, consumer.username);
    this.editHeader(X_CREDENTIAL_IDENTIFIER, identifier ?? credential?.id ?? null);
    this.editHeader(X_ANONYMOUS_CONSUMER, anonymous ? 'true' : null);
  }

  setUpstreamHeader(name: string, value: string): void {
    const lower = name.toLowerCase();
    if (lower === HOST) this.upstreamHost = value;
    else this.editHeader(lower, value);
  }

  clearUpstreamHeader(name: string): void {
    this.editHeader(name.toLowerCase(), null);
  }

  upstreamHeader(name: string): string | undefined {
    if (name === HOST && this.upstreamHost !== null) return this.upstreamHost;
    const edited = this.headerEdits?.get(name);
    if (edited !== undefined) return edited ?? undefined;
    return this.header(name);
  }

  setUpstreamMethod(method: string): void {
    this.upstreamMethod = method;
  }

  setUpstreamPath(path: string): void {
    this.upstreamPath = path;
  }

  limitRequestBody(maxBytes: number, refusal: PluginResponse): void {
    this.upstreamBody = limitedBody(this.upstreamBody ?? this.req, maxBytes, refusal);
  }

  setUpstreamQuery(rawQuery: string): void {
    this.upstreamQuery = rawQuery;
  }

  setUpstreamBody(body: Buffer): void {
    this.upstreamBody = body;
    this.editHeader(CONTENT_LENGTH, null);
  }

  setResponseHeader(name: string, value: string): void {
    const list = this.clientHeaders ?? (this.responseHeaders ??= []);
    removeHeader(list, name);
    list.push(name, value);
  }

  addResponseHeader(name: string, value: string): void {
    (this.clientHeaders ?? (this.responseHeaders ??= [])).push(name, value);
  }

  clearResponseHeader(name: string): void {
    const list = this.clientHeaders ?? this.responseHeaders;
    if (list !== null) removeHeader(list, name);
  }

  responseHeader(name: string): string | undefined {
    return findHeader(this.clientHeaders ?? this.responseHeaders, name);
  }

  responseHeaderList(): readonly string[] {
    return this.clientHeaders ?? this.responseHeaders ?? EMPTY_HEADERS;
  }

  bufferResponseBody(): void {
    this.responseBodyWanted = true;
  }

  exit(response: PluginResponse): void {
    this.exitResponse = response;
  }

  stash(key: object, value: unknown): void {
    (this.stashes ??= new Map()).set(key, value);
  }

  stashed(key: object): unknown {
    return this.stashes?.get(key);
  }

  logFacts(): RequestLogFacts {
    if (this.facts !== null) return this.facts;
    const end = this.callEnd;
    if (end === null) throw new Error('logFacts() is only available in the log phase');
    const uri = this.rawQuery === '' ? this.rawPath : `${this.rawPath}?${this.rawQuery}`;
    return (this.facts = new CallLogFacts(end, this.startedAt, this.routedAt, uri, this.host));
  }

  pluginState(name: string): unknown {
    return this.states?.get(name);
  }

  setPluginState(name: string, value: unknown): void {
    (this.states ??= new Map()).set(name, value);
  }

  private editHeader(lowerName: string, value: string | null): void {
    (this.headerEdits ??= new Map()).set(lowerName, value);
  }
}
