import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { parse, type Type } from 'protobufjs';
import { freePort } from './data-plane-process';

/**
 * The subset of OTLP's trace protos the receiver decodes, written from the OpenTelemetry proto
 * field numbers (opentelemetry/proto/collector/trace/v1/trace_service.proto and its imports).
 */
const OTLP_TRACE_PROTO = `
syntax = "proto3";
package otlp;
message ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
message ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; string schema_url = 3; }
message Resource { repeated KeyValue attributes = 1; uint32 dropped_attributes_count = 2; }
message ScopeSpans { InstrumentationScope scope = 1; repeated Span spans = 2; string schema_url = 3; }
message InstrumentationScope { string name = 1; string version = 2; }
message KeyValue { string key = 1; AnyValue value = 2; }
message AnyValue { oneof value { string string_value = 1; bool bool_value = 2; int64 int_value = 3; double double_value = 4; } }
message Status { string message = 2; int32 code = 3; }
message Span {
  bytes trace_id = 1; bytes span_id = 2; string trace_state = 3; bytes parent_span_id = 4; string name = 5; int32 kind = 6;
  fixed64 start_time_unix_nano = 7; fixed64 end_time_unix_nano = 8; repeated KeyValue attributes = 9; Status status = 15;
}
`;

const requestType: Type = parse(OTLP_TRACE_PROTO, { keepCase: true }).root.lookupType('otlp.ExportTraceServiceRequest');

/** A received span, the same shape whether it came as protobuf or JSON. */
export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  start: bigint;
  end: bigint;
  attributes: Record<string, string | number | boolean>;
  statusCode: number;
  resource: Record<string, string | number | boolean>;
}

type Attr = { key: string; value: Record<string, unknown> };

function attributes(list: Attr[] | undefined): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const { key, value } of list ?? []) {
    const v = value.string_value ?? value.stringValue ?? value.bool_value ?? value.boolValue ?? value.double_value ?? value.doubleValue ?? value.int_value ?? value.intValue;
    out[key] = typeof v === 'string' && ('int_value' in value || 'intValue' in value) ? Number(v) : (v as string | number | boolean);
  }
  return out;
}

const hex = (v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString('hex') : typeof v === 'string' ? v : '');

/** Flattens an ExportTraceServiceRequest given as protobuf's object form (snake case) or OTLP/JSON (camel case). */
function flatten(request: Record<string, unknown>): ReceivedSpan[] {
  const out: ReceivedSpan[] = [];
  const resourceSpans = (request.resource_spans ?? request.resourceSpans ?? []) as Record<string, unknown>[];
  for (const rs of resourceSpans) {
    const resource = attributes(((rs.resource ?? {}) as { attributes?: Attr[] }).attributes);
    for (const ss of (rs.scope_spans ?? rs.scopeSpans ?? []) as Record<string, unknown>[]) {
      for (const s of (ss.spans ?? []) as Record<string, unknown>[]) {
        out.push({
          traceId: hex(s.trace_id ?? s.traceId),
          spanId: hex(s.span_id ?? s.spanId),
          parentSpanId: hex(s.parent_span_id ?? s.parentSpanId),
          name: s.name as string,
          kind: Number(s.kind ?? 0),
          start: BigInt(String(s.start_time_unix_nano ?? s.startTimeUnixNano)),
          end: BigInt(String(s.end_time_unix_nano ?? s.endTimeUnixNano)),
          attributes: attributes(s.attributes as Attr[]),
          statusCode: Number((s.status as { code?: number } | undefined)?.code ?? 0),
          resource,
        });
      }
    }
  }
  return out;
}

/** An OTLP/HTTP traces endpoint on a free loopback port, decoding protobuf and JSON exports. */
export class OtlpReceiver {
  readonly spans: ReceivedSpan[] = [];
  readonly requests: { headers: IncomingHttpHeaders; url: string; spans: number }[] = [];
  private server: Server | null = null;

  private constructor(readonly port: number) {}

  static async start(): Promise<OtlpReceiver> {
    const receiver = new OtlpReceiver(await freePort());
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        const json = (req.headers['content-type'] ?? '').startsWith('application/json');
        const decoded = json
          ? (JSON.parse(body.toString()) as Record<string, unknown>)
          : (requestType.toObject(requestType.decode(body), { longs: String, defaults: false }) as Record<string, unknown>);
        const spans = flatten(decoded);
        receiver.spans.push(...spans);
        receiver.requests.push({ headers: req.headers, url: req.url ?? '', spans: spans.length });
        res.writeHead(200, { 'content-type': json ? 'application/json' : 'application/x-protobuf' });
        res.end(json ? '{}' : '');
      });
    });
    receiver.server = server;
    await new Promise<void>((resolve) => server.listen(receiver.port, '127.0.0.1', resolve));
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/v1/traces`;
  }

  trace(traceId: string): ReceivedSpan[] {
    return this.spans.filter((s) => s.traceId === traceId);
  }

  async waitForTrace(traceId: string, spans: number, timeoutMs = 10_000): Promise<ReceivedSpan[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.trace(traceId).length < spans) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${spans} spans of trace ${traceId} (have ${this.trace(traceId).length})`);
      await new Promise((done) => setTimeout(done, 20));
    }
    return this.trace(traceId);
  }

  close(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
