import { LATENCY_BUCKETS_MS, mergeMetrics, ProxyMetrics } from './proxy-metrics';

describe('proxy metrics', () => {
  it('counts requests by status class and files latencies into buckets', () => {
    const metrics = new ProxyMetrics();
    metrics.record(200, 3, 2, 1);
    metrics.record(404, 0.4, -1, -1);
    metrics.record(502, 70000, 1, 0.5);
    metrics.record(999, 1, -1, -1);
    const s = metrics.snapshot();
    expect(s.requestsByClass).toEqual([1, 0, 1, 0, 1, 1]);
    expect(s.requestLatency.count).toBe(4);
    expect(s.requestLatency.buckets[LATENCY_BUCKETS_MS.indexOf(5)]).toBe(1);
    expect(s.requestLatency.buckets[0]).toBe(2);
    expect(s.requestLatency.buckets[LATENCY_BUCKETS_MS.length]).toBe(1); // +Inf
    expect(s.upstreamLatency.count).toBe(2);
    expect(s.proxyLatency.sum).toBe(1.5);
  });

  it('merges the snapshots of several workers', () => {
    const a = new ProxyMetrics();
    const b = new ProxyMetrics();
    a.record(200, 1, 1, 0);
    b.record(200, 1, 1, 0);
    b.record(500, 1, 1, 0);
    const merged = mergeMetrics([a.snapshot(), b.snapshot()]);
    expect(merged.requestsByClass[2]).toBe(2);
    expect(merged.requestsByClass[5]).toBe(1);
    expect(merged.upstreamLatency.count).toBe(3);
  });
});
