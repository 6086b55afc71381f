import { hostname } from 'node:os';
import { httpBatchSender, queueKey, type BatchSender, type LogQueue, type QueueConfig } from '../log-queue';
import type { PluginContext, PluginHandler } from '../plugin-handler';
import { BUNDLED_PLUGIN_VERSION } from '../typedefs';
import { gatewaySpans, type RequestTrace } from './gateway-spans';
import { attribute, otlpJsonRequest, type OtlpKeyValue } from './otlp-json';
import { otlpProtobufRequest } from './otlp-protobuf';
import { openTelemetrySchema } from './schema';
import { formatTraceparent, parseB3, parseTraceparent, randomSpanId, randomTraceId, sampledByRate, type TraceContext } from './trace-context';

type HeaderType = 'preserve' | 'ignore' | 'w3c' | 'b3' | 'b3-single';

export interface OpenTelemetryConfig {
  readonly traces_endpoint: string | null;
  readonly endpoint: string | null;
  readonly headers: Readonly<Record<string, string>> | null;
  readonly resource_attributes: Readonly<Record<string, string>> | null;
  readonly queue: QueueConfig;
  readonly connect_timeout: number;
  readonly send_timeout: number;
  readonly read_timeout: number;
  readonly http_response_header_for_traceid: string | null;
  readonly header_type: HeaderType;
  readonly sampling_rate: number | null;
}

export interface PreparedOpenTelemetry {
  readonly key: string;
  readonly queueConfig: QueueConfig;
  readonly sender: () => BatchSender;
  readonly headerType: HeaderType;
  readonly samplingRate: number;
  readonly traceIdHeader: string | null;
  queue: LogQueue | null;
}

const STATE = 'opentelemetry';

function resource(config: OpenTelemetryConfig): OtlpKeyValue[] {
  const attributes: Record<string, string> = { 'service.name': 'kong', 'service.version': BUNDLED_PLUGIN_VERSION, 'service.instance.id': hostname(), ...config.resource_attributes };
  return Object.entries(attributes).map(([key, value]) => attribute(key, value));
}

function prepare(config: OpenTelemetryConfig): PreparedOpenTelemetry {
  const url = new URL((config.traces_endpoint ?? config.endpoint)!);
  const headers: Record<string, string> = {};
  let json = false;
  for (const [name, value] of Object.entries(config.headers ?? {})) {
    if (name.toLowerCase() === 'content-type') json = value.toLowerCase().startsWith('application/json');
    else headers[name] = value;
  }
  headers['Content-Type'] = json ? 'application/json' : 'application/x-protobuf';
  const attributes = resource(config);
  const body = json ? (spans: readonly string[]) => otlpJsonRequest(attributes, spans) : (spans: readonly string[]) => otlpProtobufRequest(attributes, spans);
  const target = { url, method: 'POST', headers, timeout: config.connect_timeout + config.send_timeout + config.read_timeout, keepalive: 60_000, body };
  return {
    key: queueKey('opentelemetry', config),
    queueConfig: config.queue,
    sender: () => httpBatchSender(target),
    headerType: config.header_type,
    samplingRate: config.sampling_rate ?? 1,
    traceIdHeader: config.http_response_header_for_traceid,
    queue: null,
  };
}

function extract(ctx: PluginContext, headerType: HeaderType): TraceContext | null {
  if (headerType === 'ignore') return null;
  return parseTraceparent(ctx.header('traceparent')) ?? parseB3((name) => ctx.header(name));
}

/** The request's trace: decided once (in access, or in a later phase when access did not run). */
function traceOf(ctx: PluginContext, config: PreparedOpenTelemetry): { trace: RequestTrace; incoming: TraceContext | null } {
  const known = ctx.pluginState(STATE) as { trace: RequestTrace; incoming: TraceContext | null } | undefined;
  if (known !== undefined) return known;
  const incoming = extract(ctx, config.headerType);
  const traceId = incoming?.traceId ?? randomTraceId();
  const trace: RequestTrace = {
    traceId,
    parentSpanId: incoming?.parentSpanId ?? null,
    rootSpanId: randomSpanId(),
    balancerSpanId: randomSpanId(),
    sampled: incoming?.sampled ?? sampledByRate(traceId, config.samplingRate),
  };
  const state = { trace, incoming };
  ctx.setPluginState(STATE, state);
  return state;
}

/** Writes the outgoing tracing headers; the upstream's parent is the balancer span. */
function inject(ctx: PluginContext, headerType: HeaderType, incoming: TraceContext | null, trace: RequestTrace): void {
  const format = headerType === 'preserve' ? (incoming?.format ?? 'w3c') : headerType === 'ignore' ? 'w3c' : headerType;
  const span = trace.balancerSpanId;
  const sampled = trace.sampled ? '1' : '0';
  if (format === 'w3c') return ctx.setUpstreamHeader('traceparent', formatTraceparent(trace.traceId, span, trace.sampled));
  if (format === 'b3-single') return ctx.setUpstreamHeader('b3', `${trace.traceId}-${span}-${sampled}-${trace.rootSpanId}`);
  ctx.setUpstreamHeader('x-b3-traceid', trace.traceId);
  ctx.setUpstreamHeader('x-b3-spanid', span);
  ctx.setUpstreamHeader('x-b3-parentspanid', trace.rootSpanId);
  ctx.setUpstreamHeader('x-b3-sampled', sampled);
}

/**
 * Kong's opentelemetry plugin: reads the caller's trace context (W3C traceparent or B3), sends
 * one upstream (the balancer span as parent), and after the response queues the gateway's spans
 * for batched OTLP/HTTP export (protobuf, or JSON when the headers ask for it).
 */
export const openTelemetryHandler: PluginHandler<OpenTelemetryConfig, PreparedOpenTelemetry> = {
  name: openTelemetrySchema.name,
  version: openTelemetrySchema.version,
  priority: openTelemetrySchema.priority,
  prepare,
  access(ctx, config) {
    const { trace, incoming } = traceOf(ctx, config);
    inject(ctx, config.headerType, incoming, trace);
  },
  response(ctx, config) {
    if (config.traceIdHeader !== null) ctx.setResponseHeader(config.traceIdHeader, traceOf(ctx, config).trace.traceId);
  },
  log(ctx, config) {
    const { trace } = traceOf(ctx, config);
    if (!trace.sampled) return;
    const queue = config.queue?.open ? config.queue : (config.queue = ctx.services.logQueues.queue('opentelemetry', config.key, config.queueConfig, config.sender));
    for (const span of gatewaySpans(ctx, trace)) queue.add(span);
  },
};
