import type { FieldSchema } from '@tollgate/config';
import type { PluginSchema } from '../plugin-schema';
import { BUNDLED_PLUGIN_VERSION, PROTOCOLS_HTTP } from '../typedefs';

const flag = (description: string): FieldSchema => ({ type: 'boolean', default: false, required: true, description });

/** Kong's prometheus (kong/plugins/prometheus/schema.lua), less its AI and Wasm flags. */
export const prometheusSchema: PluginSchema = {
  name: 'prometheus',
  version: BUNDLED_PLUGIN_VERSION,
  priority: 13,
  phases: ['log'],
  protocols: PROTOCOLS_HTTP,
  config: {
    per_consumer: flag('Fill in the consumer label (its username) of kong_http_requests_total and kong_bandwidth_bytes.'),
    status_code_metrics: flag('Export kong_http_requests_total.'),
    latency_metrics: flag('Export kong_kong_latency_ms, kong_upstream_latency_ms and kong_request_latency_ms.'),
    bandwidth_metrics: flag('Export kong_bandwidth_bytes.'),
    upstream_health_metrics: flag('Export kong_upstream_target_health (on once any instance asks for it).'),
  },
};
