/** Latency bucket bounds in ms (Kong's prometheus plugin uses a similar ladder). */
export const LATENCY_BUCKETS_MS: readonly number[] = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 30000, 60000];

/** A latency histogram as plain numbers: counts per bucket (not cumulative), the +Inf bucket last. */
export interface HistogramSnapshot {
  readonly buckets: number[];
  readonly sum: number;
  readonly count: number;
}

/** What one process counted; sums across workers by adding field by field. */
export interface MetricsSnapshot {
  /** Requests by status class: index 1..5 for 1xx..5xx, 0 for anything else. */
  readonly requestsByClass: number[];
  readonly requestLatency: HistogramSnapshot;
  readonly upstreamLatency: HistogramSnapshot;
  readonly proxyLatency: HistogramSnapshot;
}

class LatencyRecorder {
  private readonly counts = new Float64Array(LATENCY_BUCKETS_MS.length + 1);
  private sum = 0;
  private total = 0;

  record(ms: number): void {
    let i = 0;
    while (i < LATENCY_BUCKETS_MS.length && ms > LATENCY_BUCKETS_MS[i]!) i++;
    this.counts[i]!++;
    this.sum += ms;
    this.total++;
  }

  snapshot(): HistogramSnapshot {
    return { buckets: Array.from(this.counts), sum: this.sum, count: this.total };
  }
}

/**
 * The proxy's request counters: typed arrays bumped on the hot path (a few additions per request,
 * no labels hashed, no allocation), read and formatted only when /metrics is scraped.
 */
export class ProxyMetrics {
  private readonly byClass = new Float64Array(6);
  private readonly request = new LatencyRecorder();
  private readonly upstream = new LatencyRecorder();
  private readonly proxy = new LatencyRecorder();

  /** `upstreamMs` and `proxyMs` are negative when the request never reached an upstream. */
  record(status: number, totalMs: number, upstreamMs: number, proxyMs: number): void {
    const statusClass = (status / 100) | 0;
    this.byClass[statusClass >= 1 && statusClass <= 5 ? statusClass : 0]!++;
    this.request.record(totalMs);
    if (upstreamMs >= 0) this.upstream.record(upstreamMs);
    if (proxyMs >= 0) this.proxy.record(proxyMs);
  }

  snapshot(): MetricsSnapshot {
    return {
      requestsByClass: Array.from(this.byClass),
      requestLatency: this.request.snapshot(),
      upstreamLatency: this.upstream.snapshot(),
      proxyLatency: this.proxy.snapshot(),
    };
  }
}

function addHistograms(a: HistogramSnapshot, b: HistogramSnapshot): HistogramSnapshot {
  return { buckets: a.buckets.map((n, i) => n + (b.buckets[i] ?? 0)), sum: a.sum + b.sum, count: a.count + b.count };
}

/** Sums the snapshots of several workers. */
export function mergeMetrics(snapshots: readonly MetricsSnapshot[]): MetricsSnapshot {
  const empty = new ProxyMetrics().snapshot();
  return snapshots.reduce(
    (acc, s) => ({
      requestsByClass: acc.requestsByClass.map((n, i) => n + (s.requestsByClass[i] ?? 0)),
      requestLatency: addHistograms(acc.requestLatency, s.requestLatency),
      upstreamLatency: addHistograms(acc.upstreamLatency, s.upstreamLatency),
      proxyLatency: addHistograms(acc.proxyLatency, s.proxyLatency),
    }),
    empty,
  );
}
