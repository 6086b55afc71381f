/** Kong's buckets (kong/plugins/prometheus/exporter.lua). */
export const KONG_LATENCY_BUCKETS: readonly number[] = [1, 2, 5, 7, 10, 15, 20, 30, 50, 75, 100, 200, 500, 750, 1000, 3000, 6000];
export const UPSTREAM_LATENCY_BUCKETS: readonly number[] = [25, 50, 80, 100, 250, 400, 700, 1000, 2000, 5000, 10000, 30000, 60000];

/** Counts per bucket (not cumulative, +Inf last), as plain numbers that cross the cluster IPC. */
export interface HistogramCounts {
  readonly buckets: number[];
  readonly sum: number;
  readonly count: number;
}

/** One (service, route)'s series as a worker counted them. */
export interface RouteSeriesSnapshot {
  readonly service: string;
  readonly route: string;
  /** [code, source, consumer, count] */
  readonly requests: [number, string, string, number][];
  /** [consumer, ingress bytes, egress bytes] */
  readonly bandwidth: [string, number, number][];
  readonly kong: HistogramCounts | null;
  readonly upstream: HistogramCounts | null;
  readonly request: HistogramCounts | null;
}

export interface PrometheusSnapshot {
  /** Some instance asked for kong_upstream_target_health (Kong: any instance enables it). */
  readonly upstreamHealth: boolean;
  readonly series: RouteSeriesSnapshot[];
}

class Histogram {
  private readonly counts: Float64Array;
  private sum = 0;
  private count = 0;

  constructor(private readonly bounds: readonly number[]) {
    this.counts = new Float64Array(bounds.length + 1);
  }

  observe(ms: number): void {
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && ms > bounds[i]!) i++;
    this.counts[i]!++;
    this.sum += ms;
    this.count++;
  }

  snapshot(): HistogramCounts | null {
    return this.count === 0 ? null : { buckets: Array.from(this.counts), sum: this.sum, count: this.count };
  }
}

/** Status and source in one number key: no string built per request. */
const codeKey = (status: number, fromService: boolean) => status * 2 + (fromService ? 0 : 1);

class RouteSeries {
  /** Per consumer label ('' when per_consumer is off or no consumer), counts by codeKey. */
  readonly requests = new Map<string, Map<number, number>>();
  readonly bandwidth = new Map<string, [number, number]>();
  readonly kong = new Histogram(KONG_LATENCY_BUCKETS);
  readonly upstream = new Histogram(UPSTREAM_LATENCY_BUCKETS);
  readonly request = new Histogram(UPSTREAM_LATENCY_BUCKETS);

  constructor(
    readonly service: string,
    readonly route: string,
  ) {}

  countRequest(consumer: string, status: number, fromService: boolean): void {
    let codes = this.requests.get(consumer);
    if (codes === undefined) this.requests.set(consumer, (codes = new Map()));
    const key = codeKey(status, fromService);
    codes.set(key, (codes.get(key) ?? 0) + 1);
  }

  countBytes(consumer: string, ingress: number, egress: number): void {
    let pair = this.bandwidth.get(consumer);
    if (pair === undefined) this.bandwidth.set(consumer, (pair = [0, 0]));
    pair[0] += ingress;
    pair[1] += egress;
  }

  snapshot(): RouteSeriesSnapshot {
    const requests: RouteSeriesSnapshot['requests'] = [];
    for (const [consumer, codes] of this.requests) {
      for (const [key, n] of codes) requests.push([key >> 1, key & 1 ? 'kong' : 'service', consumer, n]);
    }
    const bandwidth: RouteSeriesSnapshot['bandwidth'] = [...this.bandwidth].map(([consumer, [i, e]]) => [consumer, i, e]);
    return { service: this.service, route: this.route, requests, bandwidth, kong: this.kong.snapshot(), upstream: this.upstream.snapshot(), request: this.request.snapshot() };
  }
}

/**
 * What the prometheus plugin counted in this serving process: plain maps and typed arrays bumped
 * from the log phase, read only when /metrics is scraped (the cluster primary sums the workers').
 */
export class PrometheusStore {
  private readonly byRoute = new Map<string, RouteSeries>();
  /** Series of routes since renamed: still exported (counters never go back), merged by label. */
  private readonly retired: RouteSeries[] = [];
  upstreamHealth = false;

  /** The series of a route (by id); a renamed route or service starts a series under its new labels. */
  series(routeId: string, service: string, route: string): RouteSeries {
    const known = this.byRoute.get(routeId);
    if (known !== undefined && known.service === service && known.route === route) return known;
    if (known !== undefined) this.retired.push(known);
    const series = new RouteSeries(service, route);
    this.byRoute.set(routeId, series);
    return series;
  }

  snapshot(): PrometheusSnapshot {
    const series = [...this.byRoute.values(), ...this.retired].map((s) => s.snapshot());
    return { upstreamHealth: this.upstreamHealth, series };
  }
}

export const PROMETHEUS_STATE = 'prometheus';
