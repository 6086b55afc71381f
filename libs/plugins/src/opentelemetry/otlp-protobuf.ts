import { SCOPE, type OtlpKeyValue, type OtlpSpan } from './otlp-json';

/**
 * A minimal protobuf writer for OTLP's ExportTraceServiceRequest (field numbers from
 * opentelemetry/proto/collector/trace/v1 and trace/v1, common/v1, resource/v1).
 */
type Chunk = Buffer;

function varint(value: bigint | number): Buffer {
  let v = BigInt.asUintN(64, BigInt(value));
  const out: number[] = [];
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return Buffer.from(out);
}

const tag = (field: number, wire: number) => varint((field << 3) | wire);

function bytesField(field: number, bytes: Buffer): Chunk {
  return Buffer.concat([tag(field, 2), varint(bytes.length), bytes]);
}

const stringField = (field: number, value: string) => bytesField(field, Buffer.from(value, 'utf8'));
const message = (field: number, parts: readonly Chunk[]) => bytesField(field, Buffer.concat(parts));
const varintField = (field: number, value: number | bigint) => Buffer.concat([tag(field, 0), varint(value)]);

function fixed64Field(field: number, value: bigint): Chunk {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(value);
  return Buffer.concat([tag(field, 1), b]);
}

function doubleField(field: number, value: number): Chunk {
  const b = Buffer.alloc(8);
  b.writeDoubleLE(value);
  return Buffer.concat([tag(field, 1), b]);
}

function anyValue(value: OtlpKeyValue['value']): Chunk[] {
  if ('stringValue' in value) return [stringField(1, value.stringValue)];
  if ('boolValue' in value) return [varintField(2, value.boolValue ? 1 : 0)];
  if ('intValue' in value) return [varintField(3, BigInt(value.intValue))];
  return [doubleField(4, value.doubleValue)];
}

/** KeyValue { key = 1; value = 2 } as field `field` of its parent. */
function keyValues(field: number, attributes: readonly OtlpKeyValue[]): Chunk[] {
  return attributes.map((kv) => message(field, [stringField(1, kv.key), message(2, anyValue(kv.value))]));
}

function span(s: OtlpSpan): Chunk {
  const parts: Chunk[] = [bytesField(1, Buffer.from(s.traceId, 'hex')), bytesField(2, Buffer.from(s.spanId, 'hex'))];
  if (s.parentSpanId) parts.push(bytesField(4, Buffer.from(s.parentSpanId, 'hex')));
  parts.push(stringField(5, s.name), varintField(6, s.kind), fixed64Field(7, BigInt(s.startTimeUnixNano)), fixed64Field(8, BigInt(s.endTimeUnixNano)));
  parts.push(...keyValues(9, s.attributes));
  const status: Chunk[] = [];
  if (s.status.message) status.push(stringField(2, s.status.message));
  if (s.status.code !== 0) status.push(varintField(3, s.status.code));
  parts.push(message(15, status));
  return message(2, parts); // ScopeSpans.spans = 2
}

/** ExportTraceServiceRequest { resource_spans = 1 { resource = 1, scope_spans = 2 { scope = 1, spans = 2 } } }. */
export function otlpProtobufRequest(resource: readonly OtlpKeyValue[], spans: readonly string[]): Buffer {
  const scope = message(1, [stringField(1, SCOPE.name), stringField(2, SCOPE.version)]);
  const scopeSpans = message(2, [scope, ...spans.map((json) => span(JSON.parse(json) as OtlpSpan))]);
  const resourceMessage = message(1, keyValues(1, resource));
  return message(1, [resourceMessage, scopeSpans]);
}
