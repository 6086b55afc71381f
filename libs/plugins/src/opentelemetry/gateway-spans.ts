import { performance } from 'node:perf_hooks';
import type { PluginContext } from '../plugin-handler';
import { attribute, type OtlpKeyValue, type OtlpSpan } from './otlp-json';
import { randomSpanId } from './trace-context';

/** What the plugin decided for a request (in access, or at the latest in log). */
export interface RequestTrace {
  readonly traceId: string;
  /** The caller's span: parent of the root span. */
  readonly parentSpanId: string | null;
  readonly rootSpanId: string;
  /** The upstream call's span, whose id went upstream as the parent. */
  readonly balancerSpanId: string;
  readonly sampled: boolean;
}

const KIND_INTERNAL = 1;
const KIND_SERVER = 2;
const KIND_CLIENT = 3;
const OK = { code: 0 };
const ERROR = { code: 2 };

/** performance.now() marks to OTLP's decimal nanoseconds since the epoch (microsecond precision). */
function nanos(mark: number): string {
  return String(BigInt(Math.round((performance.timeOrigin + mark) * 1000)) * 1000n);
}

function span(trace: RequestTrace, spanId: string, parent: string | null, name: string, kind: number, start: number, end: number, attributes: OtlpKeyValue[], failed = false): string {
  const s: OtlpSpan = {
    traceId: trace.traceId,
    spanId,
    ...(parent === null ? {} : { parentSpanId: parent }),
    name,
    kind,
    startTimeUnixNano: nanos(start),
    endTimeUnixNano: nanos(Math.max(start, end)),
    attributes,
    status: failed ? ERROR : OK,
  };
  return JSON.stringify(s);
}

/**
 * The gateway's spans for one call, as OTLP/JSON strings: the root `kong` span (server), and
 * under it `kong.router` (matching the route), `kong.access` (every access-phase plugin, as one
 * span) and `kong.balancer` (the upstream call, to its response head), as far as the call got.
 */
export function gatewaySpans(ctx: PluginContext, trace: RequestTrace): string[] {
  const facts = ctx.logFacts();
  const m = facts.marks;
  const status = ctx.status;
  const root = span(trace, trace.rootSpanId, trace.parentSpanId, 'kong', KIND_SERVER, m.start, m.end, [
    attribute('http.method', ctx.method),
    attribute('http.url', `${ctx.scheme}://${facts.host}${facts.requestUri}`),
    attribute('http.host', facts.host),
    attribute('http.scheme', ctx.scheme),
    attribute('http.flavor', '1.1'),
    attribute('net.peer.ip', ctx.clientIp),
    attribute('http.status_code', status),
    ...(ctx.route === null ? [] : [attribute('kong.route.id', ctx.route.id)]),
    ...(ctx.service === null ? [] : [attribute('kong.service.id', ctx.service.id)]),
  ], status >= 500);
  const spans = [root];
  if (m.routed < 0) return spans;
  spans.push(span(trace, randomSpanId(), trace.rootSpanId, 'kong.router', KIND_INTERNAL, m.start, m.routed, []));
  spans.push(span(trace, randomSpanId(), trace.rootSpanId, 'kong.access', KIND_INTERNAL, m.routed, m.upstreamSent >= 0 ? m.upstreamSent : m.end, []));
  if (m.upstreamSent < 0) return spans;
  const tries = facts.tries;
  const last = tries[tries.length - 1];
  const answered = facts.upstreamStatus !== null;
  spans.push(
    span(trace, trace.balancerSpanId, trace.rootSpanId, 'kong.balancer', KIND_CLIENT, m.upstreamSent, m.upstreamHead >= 0 ? m.upstreamHead : m.end, [
      ...(last === undefined ? [] : [attribute('net.peer.ip', last.ip), attribute('net.peer.port', last.port)]),
      attribute('try_count', tries.length),
      ...(answered ? [attribute('http.status_code', facts.upstreamStatus!)] : []),
    ], !answered || facts.upstreamStatus! >= 500),
  );
  return spans;
}
