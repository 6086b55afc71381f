import type { PluginContext, PluginHandler } from '../plugin-handler';
import { PROMETHEUS_STATE, PrometheusStore } from './prometheus-store';
import { prometheusSchema } from './schema';

export interface PrometheusConfig {
  readonly per_consumer: boolean;
  readonly status_code_metrics: boolean;
  readonly latency_metrics: boolean;
  readonly bandwidth_metrics: boolean;
  readonly upstream_health_metrics: boolean;
}

const newStore = () => new PrometheusStore();

/**
 * Kong's prometheus plugin: counts each routed call into this process's store, by service and
 * route labels (names, else host / id), and by consumer username when per_consumer is on. The
 * status port's /metrics renders the store (summed over the workers) in Kong's metric names.
 */
export const prometheusHandler: PluginHandler<PrometheusConfig> = {
  name: prometheusSchema.name,
  version: prometheusSchema.version,
  priority: prometheusSchema.priority,
  log(ctx: PluginContext, config: PrometheusConfig): void {
    const store = ctx.services.processState(PROMETHEUS_STATE, newStore);
    if (config.upstream_health_metrics) store.upstreamHealth = true;
    const route = ctx.route;
    if (route === null) return; // Kong records nothing for a call no route matched
    const service = ctx.service;
    const series = store.series(route.id, service === null ? '' : (service.name ?? service.host), route.name ?? route.id);
    const consumer = config.per_consumer && ctx.consumer !== null ? (ctx.consumer.username ?? '') : '';
    if (!config.status_code_metrics && !config.latency_metrics && !config.bandwidth_metrics) return;
    const facts = ctx.logFacts();
    if (config.status_code_metrics) series.countRequest(consumer, ctx.status, facts.source === 'service');
    if (config.bandwidth_metrics) series.countBytes(consumer, facts.requestSize, facts.responseSize);
    if (config.latency_metrics) {
      if (facts.requestLatency >= 0) series.request.observe(facts.requestLatency);
      if (facts.upstreamLatency >= 0) series.upstream.observe(facts.upstreamLatency);
      if (facts.kongLatency >= 0) series.kong.observe(facts.kongLatency);
    }
  },
};
