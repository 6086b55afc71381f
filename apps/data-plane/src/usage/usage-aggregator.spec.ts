import { LatencyHistogram } from '@tollgate/usage';
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { UsageAggregator } from './usage-aggregator';

const S1 = '11111111-1111-4111-8111-111111111111';
const S2 = '22222222-2222-4222-8222-222222222222';
const R1 = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa';
const C1 = 'cccccccc-cccc-4ccc-8ccc-cccccccccccc';
const MINUTE = 1_764_201_600_000;

function clockAt(start: number) {
  const clock = { now: start, read: () => clock.now };
  return clock;
}

describe('UsageAggregator', () => {
  it('sums calls per (minute, service, route, consumer, status), with both latency histograms', () => {
    const clock = clockAt(MINUTE + 5_000);
    const agg = new UsageAggregator(clock.read);
    agg.record(S1, R1, C1, 200, 100, 1000, 12, 10);
    agg.record(S1, R1, C1, 200, 50, 500, 30, 25);
    agg.record(S1, R1, null, 200, 1, 2, 3, 2);
    agg.record(S1, R1, C1, 503, 0, 10, 40, 39);
    agg.record(null, null, null, 404, 0, 48, 0.5, -1);
    expect(agg.size).toBe(4);
    const rows = agg.drain();
    expect(rows).toHaveLength(4);
    const ok = rows.find((r) => r.consumer_id === C1 && r.status === 200)!;
    expect(ok).toMatchObject({ minute: MINUTE, service_id: S1, route_id: R1, count: 2, bytes_in: 150, bytes_out: 1500 });
    const gateway = LatencyHistogram.fromBase64(ok.gateway_latency);
    const upstream = LatencyHistogram.fromBase64(ok.upstream_latency);
    expect([gateway.count, upstream.count]).toEqual([2, 2]);
    expect(gateway.quantile(1)).toBeCloseTo(5, 1); // 30 - 25
    expect(upstream.quantile(1)).toBeCloseTo(25, 0);
    const unmatched = rows.find((r) => r.status === 404)!;
    expect(unmatched).toMatchObject({ service_id: null, route_id: null, consumer_id: null, count: 1 });
    expect(LatencyHistogram.fromBase64(unmatched.upstream_latency).count).toBe(0); // never went upstream
  });

  it('splits calls by the minute they finished in, and starts empty after a drain', () => {
    const clock = clockAt(MINUTE + 59_999);
    const agg = new UsageAggregator(clock.read);
    agg.record(S1, R1, null, 200, 0, 0, 1, 1);
    clock.now = MINUTE + 60_000;
    agg.record(S1, R1, null, 200, 0, 0, 1, 1);
    agg.record(S1, R1, null, 200, 0, 0, 1, 1);
    const rows = agg.drain();
    expect(rows.map((r) => [r.minute, r.count])).toEqual([
      [MINUTE, 1],
      [MINUTE + 60_000, 2],
    ]);
    expect(agg.drain()).toEqual([]);
    expect(agg.size).toBe(0);
  });

  it('keeps one row per key when the clock steps back into a minute already counted', () => {
    const clock = clockAt(MINUTE + 61_000);
    const agg = new UsageAggregator(clock.read);
    agg.record(S1, R1, null, 200, 0, 0, 1, 1);
    clock.now = MINUTE + 30_000;
    agg.record(S1, R1, null, 200, 0, 0, 1, 1);
    clock.now = MINUTE + 62_000;
    agg.record(S1, R1, null, 200, 0, 0, 1, 1);
    expect(agg.drain().map((r) => [r.minute, r.count])).toEqual([
      [MINUTE + 60_000, 2],
      [MINUTE, 1],
    ]);
  });

  it("keeps a route's calls apart when a config change moves it to another service", () => {
    const agg = new UsageAggregator(clockAt(MINUTE).read);
    agg.record(S1, R1, null, 200, 0, 0, 1, 1);
    agg.record(S2, R1, null, 200, 0, 0, 1, 1);
    agg.record(S2, R1, null, 200, 0, 0, 1, 1);
    const rows = agg.drain();
    expect(rows.map((r) => [r.service_id, r.count]).sort()).toEqual([
      [S1, 1],
      [S2, 2],
    ]);
  });

  it('allocates nothing per call once a cell exists: 4 million calls on a warm cell run without a scavenge', async () => {
    const agg = new UsageAggregator(clockAt(MINUTE).read);
    agg.record(S1, R1, C1, 200, 10, 10, 5, 4);
    // heapUsed is no measure here: a scavenge would hide any garbage, and JIT metadata grows it.
    // Counting scavenges is: a 24-byte object per call (96 MB in all) makes four in a plain loop.
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    gc();
    const scavenges: unknown[] = [];
    const observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) if ((entry as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR) scavenges.push(entry);
    });
    observer.observe({ entryTypes: ['gc'] });
    for (let i = 0; i < 4_000_000; i++) agg.record(S1, R1, C1, 200, 10, 10, 5 + (i % 7), 4);
    await new Promise((resolve) => setTimeout(resolve, 50));
    observer.disconnect();
    expect(scavenges.length).toBeLessThanOrEqual(1);
    expect(agg.drain()[0]!.count).toBe(4_000_001);
  });
});
