import { randomBytes } from 'node:crypto';

/** A trace context read from a request's headers, or started here. */
export interface TraceContext {
  /** 32 lower-case hex digits. */
  readonly traceId: string;
  /** The caller's span (16 hex digits), parent of the gateway's root span; null when the trace starts here. */
  readonly parentSpanId: string | null;
  /** The caller's sampling decision, null when it made none. */
  readonly sampled: boolean | null;
  /** The format it came in, to answer in kind when header_type is `preserve`. */
  readonly format: 'w3c' | 'b3' | 'b3-single' | null;
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);
const HEX = /^[0-9a-f]+$/;

/** W3C Trace Context `traceparent` (version 00; later versions read the same four fields). */
export function parseTraceparent(value: string | undefined): TraceContext | null {
  const m = value === undefined ? null : TRACEPARENT.exec(value.trim().toLowerCase());
  if (m === null || m[1] === 'ff' || m[2] === ZERO_TRACE || m[3] === ZERO_SPAN) return null;
  return { traceId: m[2]!, parentSpanId: m[3]!, sampled: (parseInt(m[4]!, 16) & 1) === 1, format: 'w3c' };
}

/** B3's 64-bit trace ids are left-padded to 128 bits. */
function b3TraceId(id: string | undefined): string | null {
  if (id === undefined || (id.length !== 16 && id.length !== 32) || !HEX.test(id)) return null;
  return id.padStart(32, '0');
}

function b3Sampled(flag: string | undefined, debug?: string): boolean | null {
  if (debug === '1' || flag === 'd' || flag === '1' || flag === 'true') return true;
  if (flag === '0' || flag === 'false') return false;
  return null;
}

/** Zipkin B3, multi-header (`x-b3-traceid`, ...) or single (`b3: trace-span-sampled-parent`). */
export function parseB3(header: (name: string) => string | undefined): TraceContext | null {
  const single = header('b3');
  if (single !== undefined) {
    const [trace, span, flag] = single.toLowerCase().split('-');
    if (span === undefined) return trace === undefined ? null : { traceId: randomTraceId(), parentSpanId: null, sampled: b3Sampled(trace), format: 'b3-single' };
    const traceId = b3TraceId(trace);
    if (traceId === null || span.length !== 16 || !HEX.test(span)) return null;
    return { traceId, parentSpanId: span, sampled: b3Sampled(flag), format: 'b3-single' };
  }
  const traceId = b3TraceId(header('x-b3-traceid')?.toLowerCase());
  const span = header('x-b3-spanid')?.toLowerCase();
  if (traceId === null || span === undefined || span.length !== 16 || !HEX.test(span)) return null;
  return { traceId, parentSpanId: span, sampled: b3Sampled(header('x-b3-sampled'), header('x-b3-flags')), format: 'b3' };
}

export function randomTraceId(): string {
  return randomBytes(16).toString('hex');
}

export function randomSpanId(): string {
  return randomBytes(8).toString('hex');
}

/**
 * A probability sampler on the trace id: sampled when the high 32 bits of the id fall under
 * rate x 2^32, so every gateway on the path takes the same decision for the same trace.
 */
export function sampledByRate(traceId: string, rate: number): boolean {
  if (rate >= 1) return true;
  if (rate <= 0) return false;
  return parseInt(traceId.slice(0, 8), 16) < rate * 2 ** 32;
}

export function formatTraceparent(traceId: string, spanId: string, sampled: boolean): string {
  return `00-${traceId}-${spanId}-${sampled ? '01' : '00'}`;
}
