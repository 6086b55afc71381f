import { KONG_LATENCY_BUCKETS, UPSTREAM_LATENCY_BUCKETS, type HistogramCounts, type PrometheusSnapshot, type RouteSeriesSnapshot } from './prometheus-store';

/** An upstream target's health as the balancer sees it (the status server's view). */
export interface TargetHealth {
  readonly upstream: string;
  readonly target: string;
  readonly healthy: boolean;
}

/** Kong's label; Tollgate has no workspaces, so every series is in Kong's `default` one. */
const WORKSPACE = 'default';
const HEALTH_STATES = ['healthchecks_off', 'healthy', 'unhealthy', 'dns_error'];

function addHistograms(a: HistogramCounts | null, b: HistogramCounts | null): HistogramCounts | null {
  if (a === null) return b;
  if (b === null) return a;
  return { buckets: a.buckets.map((n, i) => n + (b.buckets[i] ?? 0)), sum: a.sum + b.sum, count: a.count + b.count };
}

function mergeSeries(a: RouteSeriesSnapshot, b: RouteSeriesSnapshot): RouteSeriesSnapshot {
  const requests = new Map<string, [number, string, string, number]>();
  for (const [code, source, consumer, n] of [...a.requests, ...b.requests]) {
    const key = `${code}\u0000${source}\u0000${consumer}`;
    const seen = requests.get(key);
    if (seen) seen[3] += n;
    else requests.set(key, [code, source, consumer, n]);
  }
  const bandwidth = new Map<string, [string, number, number]>();
  for (const [consumer, i, e] of [...a.bandwidth, ...b.bandwidth]) {
    const seen = bandwidth.get(consumer);
    if (seen) {
      seen[1] += i;
      seen[2] += e;
    } else bandwidth.set(consumer, [consumer, i, e]);
  }
  return {
    service: a.service,
    route: a.route,
    requests: [...requests.values()],
    bandwidth: [...bandwidth.values()],
    kong: addHistograms(a.kong, b.kong),
    upstream: addHistograms(a.upstream, b.upstream),
    request: addHistograms(a.request, b.request),
  };
}

/** Sums the workers' snapshots (and a process's renamed series) by (service, route) label. */
export function mergePrometheus(snapshots: readonly (PrometheusSnapshot | null | undefined)[]): PrometheusSnapshot | null {
  const present = snapshots.filter((s): s is PrometheusSnapshot => s !== null && s !== undefined);
  if (present.length === 0) return null;
  const byLabel = new Map<string, RouteSeriesSnapshot>();
  for (const series of present.flatMap((s) => s.series)) {
    const key = `${series.service}\u0000${series.route}`;
    const seen = byLabel.get(key);
    byLabel.set(key, seen === undefined ? series : mergeSeries(seen, series));
  }
  return { upstreamHealth: present.some((s) => s.upstreamHealth), series: [...byLabel.values()] };
}

function escape(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function labels(pairs: readonly (readonly [string, string | number])[]): string {
  return `{${pairs.map(([k, v]) => `${k}="${escape(String(v))}"`).join(',')}}`;
}

function histogram(out: string[], name: string, bounds: readonly number[], base: [string, string][], h: HistogramCounts): void {
  let cumulative = 0;
  bounds.forEach((le, i) => {
    cumulative += h.buckets[i] ?? 0;
    out.push(`${name}_bucket${labels([...base, ['le', le]])} ${cumulative}`);
  });
  out.push(`${name}_bucket${labels([...base, ['le', '+Inf']])} ${h.count}`);
  out.push(`${name}_count${labels(base)} ${h.count}`);
  out.push(`${name}_sum${labels(base)} ${h.sum}`);
}

type Latency = 'kong' | 'upstream' | 'request';
const LATENCIES: readonly [Latency, string, string, readonly number[]][] = [
  ['kong', 'kong_kong_latency_ms', 'Latency added by Kong and enabled plugins for each service/route in Kong', KONG_LATENCY_BUCKETS],
  ['upstream', 'kong_upstream_latency_ms', 'Latency added by upstream response for each service/route in Kong', UPSTREAM_LATENCY_BUCKETS],
  ['request', 'kong_request_latency_ms', 'Total latency incurred during requests for each service/route in Kong', UPSTREAM_LATENCY_BUCKETS],
];

/**
 * Kong's prometheus exposition for what the plugin counted: kong_http_requests_total,
 * kong_kong_latency_ms, kong_upstream_latency_ms, kong_request_latency_ms, kong_bandwidth_bytes
 * and (when an instance asks) kong_upstream_target_health, with Kong's names, labels and buckets.
 */
export function renderKongMetrics(snapshot: PrometheusSnapshot | null, targets: readonly TargetHealth[]): string {
  if (snapshot === null) return '';
  // Kong's count of its own metric errors: a plain map store has none to count.
  const out: string[] = ['# HELP kong_nginx_metric_errors_total Number of nginx-lua-prometheus errors', '# TYPE kong_nginx_metric_errors_total counter', 'kong_nginx_metric_errors_total 0'];
  const series = snapshot.series;
  if (series.some((s) => s.requests.length > 0)) {
    out.push('# HELP kong_http_requests_total HTTP status codes per consumer/service/route in Kong', '# TYPE kong_http_requests_total counter');
    for (const s of series) {
      for (const [code, source, consumer, n] of s.requests) {
        out.push(`kong_http_requests_total${labels([['service', s.service], ['route', s.route], ['code', code], ['source', source], ['workspace', WORKSPACE], ['consumer', consumer]])} ${n}`);
      }
    }
  }
  for (const [key, name, help, bounds] of LATENCIES) {
    if (!series.some((s) => s[key] !== null)) continue;
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} histogram`);
    for (const s of series) {
      const h = s[key];
      if (h !== null) histogram(out, name, bounds, [['service', s.service], ['route', s.route], ['workspace', WORKSPACE]], h);
    }
  }
  if (series.some((s) => s.bandwidth.length > 0)) {
    out.push('# HELP kong_bandwidth_bytes Total bandwidth (ingress/egress) throughput in bytes', '# TYPE kong_bandwidth_bytes counter');
    for (const s of series) {
      for (const [consumer, ingress, egress] of s.bandwidth) {
        const base = (direction: string): [string, string][] => [['service', s.service], ['route', s.route], ['direction', direction], ['workspace', WORKSPACE], ['consumer', consumer]];
        if (egress > 0) out.push(`kong_bandwidth_bytes${labels(base('egress'))} ${egress}`);
        if (ingress > 0) out.push(`kong_bandwidth_bytes${labels(base('ingress'))} ${ingress}`);
      }
    }
  }
  if (snapshot.upstreamHealth) {
    out.push(
      '# HELP kong_upstream_target_health Health status of targets of upstream. States = healthchecks_off|healthy|unhealthy|dns_error, value is 1 when state is populated.',
      '# TYPE kong_upstream_target_health gauge',
    );
    for (const t of targets) {
      const state = t.healthy ? 'healthy' : 'unhealthy';
      for (const s of HEALTH_STATES) {
        out.push(`kong_upstream_target_health${labels([['upstream', t.upstream], ['target', t.target], ['address', t.target], ['state', s], ['subsystem', 'http']])} ${s === state ? 1 : 0}`);
      }
    }
  }
  return `${out.join('\n')}\n`;
}
