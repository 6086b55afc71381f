import { bundledPlugin } from '../bundled-plugin';
import { prometheusHandler } from './handler';
import { prometheusSchema } from './schema';

export { prometheusSchema } from './schema';
export { prometheusHandler, type PrometheusConfig } from './handler';
export { PROMETHEUS_STATE, PrometheusStore, KONG_LATENCY_BUCKETS, UPSTREAM_LATENCY_BUCKETS, type PrometheusSnapshot, type RouteSeriesSnapshot, type HistogramCounts } from './prometheus-store';
export { mergePrometheus, renderKongMetrics, type TargetHealth } from './kong-metrics-text';
export const prometheusPlugin = bundledPlugin(prometheusSchema, prometheusHandler);
