import { queueField } from '../log-queue';
import type { PluginSchema } from '../plugin-schema';
import { BUNDLED_PLUGIN_VERSION, PROTOCOLS_HTTP } from '../typedefs';

const timeout = (ms: number, description: string) => ({ type: 'integer' as const, between: [0, 2 ** 31 - 2] as const, default: ms, description });

/**
 * Kong's opentelemetry (kong/plugins/opentelemetry/schema.lua), traces over OTLP/HTTP. Not here:
 * `logs_endpoint` and the `propagation` record, and header types other than w3c and b3 (the
 * admin API refuses them by name).
 */
export const openTelemetrySchema: PluginSchema = {
  name: 'opentelemetry',
  version: BUNDLED_PLUGIN_VERSION,
  priority: 14,
  phases: ['access', 'response', 'log'],
  protocols: PROTOCOLS_HTTP,
  config: {
    traces_endpoint: { type: 'string', check: 'url', nullable: true, description: 'OTLP/HTTP traces endpoint, e.g. http://otel-collector:4318/v1/traces.' },
    endpoint: { type: 'string', check: 'url', nullable: true, description: 'Kong 3.x\'s deprecated name of traces_endpoint.' },
    headers: {
      type: 'map',
      keys: { type: 'string', check: 'header_name' },
      values: { type: 'string' },
      nullable: true,
      description: 'Headers sent to the collector (authentication). `Content-Type: application/json` switches the export from OTLP protobuf (the default, as Kong) to OTLP JSON.',
    },
    resource_attributes: {
      type: 'map',
      keys: { type: 'string', len_min: 1 },
      values: { type: 'string', len_min: 1 },
      nullable: true,
      description: 'Resource attributes; service.name defaults to `kong`, service.instance.id to the node name.',
    },
    queue: queueField({ max_batch_size: 200 }),
    batch_span_count: { type: 'integer', nullable: true, description: 'Deprecated in Kong: queue.max_batch_size.' },
    batch_flush_delay: { type: 'integer', nullable: true, description: 'Deprecated in Kong: queue.max_coalescing_delay.' },
    connect_timeout: timeout(1000, 'Timeout in ms connecting to the collector.'),
    send_timeout: timeout(5000, 'Timeout in ms sending a batch.'),
    read_timeout: timeout(5000, "Timeout in ms waiting for the collector's answer."),
    http_response_header_for_traceid: { type: 'string', check: 'header_name', nullable: true, description: 'Response header carrying the trace id to the client.' },
    header_type: {
      type: 'string',
      default: 'preserve',
      one_of: ['preserve', 'ignore', 'w3c', 'b3', 'b3-single'],
      description: 'Tracing headers read and written: preserve (read w3c or b3, write what came, w3c by default), ignore (read none, write w3c), or one format to write.',
    },
    sampling_rate: { type: 'number', between: [0, 1], nullable: true, description: 'Share of traces sampled when the caller sent no sampling decision (null: all).' },
  },
  config_checks: [{ at_least_one_of: ['traces_endpoint', 'endpoint'] }],
  shorthands: { batch_span_count: 'queue.max_batch_size', batch_flush_delay: 'queue.max_coalescing_delay' },
};
