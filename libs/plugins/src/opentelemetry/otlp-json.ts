/** OTLP/JSON's AnyValue (int64 as a decimal string, per the OTLP/JSON mapping). */
export type OtlpValue = { stringValue: string } | { intValue: string } | { doubleValue: number } | { boolValue: boolean };

export interface OtlpKeyValue {
  readonly key: string;
  readonly value: OtlpValue;
}

/** One span in OTLP/JSON form: ids as lower-case hex, times as decimal nanosecond strings. */
export interface OtlpSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId?: string;
  readonly name: string;
  /** 1 internal, 2 server, 3 client. */
  readonly kind: number;
  readonly startTimeUnixNano: string;
  readonly endTimeUnixNano: string;
  readonly attributes: OtlpKeyValue[];
  /** 0 unset, 2 error. */
  readonly status: { readonly code: number; readonly message?: string };
}

export const SCOPE = { name: 'kong-internal', version: '0.1.0' } as const;

export function attribute(key: string, value: string | number | boolean): OtlpKeyValue {
  if (typeof value === 'string') return { key, value: { stringValue: value } };
  if (typeof value === 'boolean') return { key, value: { boolValue: value } };
  return Number.isInteger(value) ? { key, value: { intValue: String(value) } } : { key, value: { doubleValue: value } };
}

/**
 * An ExportTraceServiceRequest in OTLP/JSON from spans already encoded one by one (queue entries),
 * joined without parsing them again.
 */
export function otlpJsonRequest(resource: readonly OtlpKeyValue[], spans: readonly string[]): string {
  return `{"resourceSpans":[{"resource":{"attributes":${JSON.stringify(resource)}},"scopeSpans":[{"scope":${JSON.stringify(SCOPE)},"spans":[${spans.join(',')}]}]}]}`;
}
