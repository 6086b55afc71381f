import { Counter, Gauge, Registry, type Metric } from 'prom-client';
import { pluginMetricsText } from './plugin-metrics';
import type { HistogramSnapshot } from './proxy-metrics';
import { LATENCY_BUCKETS_MS } from './proxy-metrics';
import type { NodeStats, UsageStats } from './status-source';

const STATUS_CLASSES = ['other', '1xx', '2xx', '3xx', '4xx', '5xx'];

/**
 * A histogram read from a snapshot at scrape time. prom-client's own Histogram can only be fed
 * one observation at a time (about 300 ns each, with label hashing): the proxy counts into plain
 * arrays instead and this hands their totals to the registry in its metric shape.
 */
function snapshotHistogram(name: string, help: string, read: () => HistogramSnapshot | null): Metric {
  const metric = {
    name,
    help,
    type: 'histogram',
    aggregator: 'sum',
    collect: undefined,
    async get() {
      const h = read();
      const values: { metricName: string; labels: Record<string, string | number>; value: number }[] = [];
      let cumulative = 0;
      LATENCY_BUCKETS_MS.forEach((le, i) => {
        cumulative += h?.buckets[i] ?? 0;
        values.push({ metricName: `${name}_bucket`, labels: { le }, value: cumulative });
      });
      values.push({ metricName: `${name}_bucket`, labels: { le: '+Inf' }, value: h?.count ?? 0 });
      values.push({ metricName: `${name}_sum`, labels: {}, value: h?.sum ?? 0 });
      values.push({ metricName: `${name}_count`, labels: {}, value: h?.count ?? 0 });
      return { name, help, type: 'histogram', aggregator: 'sum', values };
    },
    reset() {},
  };
  return metric as unknown as Metric;
}

/**
 * The /metrics registry. Every metric reads the stats gathered once per scrape (`stats`), so a
 * scrape costs one pass over the workers, and the hot path never touches prom-client.
 */
export class MetricsRegistry {
  readonly registry = new Registry();
  private stats: NodeStats | null = null;

  constructor(configVersion: () => number | null) {
    // prom-client calls `collect` with the metric as `this`; the stats come through this reader.
    const stats = () => this.stats;
    const registers = [this.registry];
    new Counter({
      name: 'tollgate_http_requests_total',
      help: 'Proxied requests by response status class',
      labelNames: ['status_class'],
      registers,
      collect() {
        this.reset();
        stats()?.metrics.requestsByClass.forEach((n, i) => this.inc({ status_class: STATUS_CLASSES[i] }, n));
      },
    });
    new Gauge({
      name: 'tollgate_config_version',
      help: 'Version of the config being served (-1 before the first)',
      registers,
      collect() {
        this.set(configVersion() ?? -1);
      },
    });
    new Gauge({
      name: 'tollgate_connections_active',
      help: 'Open client connections',
      registers,
      collect() {
        this.set(stats()?.connections.active ?? 0);
      },
    });
    const edge = (name: string, help: string, pick: (e: NodeStats['edge']) => number, kind: 'counter' | 'gauge') => {
      const collect = function (this: Gauge | Counter) {
        this.reset();
        const e = stats()?.edge;
        if (e) this.inc(pick(e));
      };
      if (kind === 'counter') new Counter({ name, help, registers, collect });
      else new Gauge({ name, help, registers, collect });
    };
    edge('tollgate_connections_capacity', 'Client connections the node may hold (its workers\' caps, below their descriptor limits)', (e) => e.capacity, 'gauge');
    edge('tollgate_connections_refused_total', 'Client connections closed at once because the connection cap was reached', (e) => e.refused, 'counter');
    edge('tollgate_accept_errors_total', 'Failed accepts of client connections (EMFILE, ENFILE): the listener sheds them and keeps listening', (e) => e.acceptErrors, 'counter');
    edge('tollgate_accepting', '1 when every worker is below its cap with descriptors to spare (what /status/ready reports), else 0', (e) => (e.accepting ? 1 : 0), 'gauge');
    new Counter({
      name: 'tollgate_client_timeouts_total',
      help: 'Client connections closed by client_header_timeout (phase=header) or client_body_timeout (phase=body)',
      labelNames: ['phase'],
      registers,
      collect() {
        this.reset();
        const e = stats()?.edge;
        if (!e) return;
        this.inc({ phase: 'header' }, e.headerTimeouts);
        this.inc({ phase: 'body' }, e.bodyTimeouts);
      },
    });
    new Gauge({
      name: 'tollgate_upstream_target_health',
      help: 'Upstream target health as the balancer sees it (1 healthy, 0 unhealthy)',
      labelNames: ['upstream', 'target'],
      registers,
      collect() {
        this.reset();
        for (const t of stats()?.upstreams ?? []) this.set({ upstream: t.upstream, target: t.target }, t.healthy ? 1 : 0);
      },
    });
    const usage = (name: string, help: string, pick: (u: UsageStats) => number) =>
      new Gauge({
        name,
        help,
        registers,
        collect() {
          const u = stats()?.usage;
          if (u) this.set(pick(u));
        },
      });
    usage('tollgate_usage_journal_batches', 'Metering batches journaled on disk, not yet acknowledged by Redis', (u) => u.journalBatches);
    usage('tollgate_usage_journal_bytes', 'Bytes of the metering journal not yet acknowledged by Redis', (u) => u.journalBytes);
    usage('tollgate_usage_batches_sent', 'Metering batches handed to Redis since start', (u) => u.sent);
    usage('tollgate_usage_batches_dropped', 'Metering batches refused because the journal was full (usage lost)', (u) => u.dropped);
    const latency = (name: string, help: string, pick: (s: NodeStats) => HistogramSnapshot) =>
      this.registry.registerMetric(snapshotHistogram(name, help, () => (this.stats ? pick(this.stats) : null)));
    latency('tollgate_request_latency_ms', 'Time from request received to response finished', (s) => s.metrics.requestLatency);
    latency('tollgate_upstream_latency_ms', 'Time from request sent upstream to its response head', (s) => s.metrics.upstreamLatency);
    latency('tollgate_proxy_latency_ms', 'Time the gateway spent before sending upstream', (s) => s.metrics.proxyLatency);
  }

  async render(stats: NodeStats): Promise<string> {
    this.stats = stats;
    return (await this.registry.metrics()) + pluginMetricsText(stats);
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
