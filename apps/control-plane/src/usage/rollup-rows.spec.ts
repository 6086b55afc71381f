import { LatencyHistogram, parseUsageBatch, type UsageRow } from '@tollgate/usage';
import { NO_ENTITY, rollupRows } from './rollup-rows';

const S = '11111111-1111-4111-8111-111111111111';
const HOUR = Date.parse('2026-03-01T10:00:00Z');

function h(...values: number[]): string {
  const x = new LatencyHistogram();
  values.forEach((v) => x.record(v));
  return x.toBase64();
}

function row(minute: number, status: number, count: number, latency: number): UsageRow {
  return { minute, service_id: S, route_id: null, consumer_id: null, status, count, bytes_in: count, bytes_out: 2 * count, gateway_latency: h(...Array(count).fill(latency)), upstream_latency: h() };
}

describe('rollupRows', () => {
  const batch = parseUsageBatch({
    format: 1,
    id: 'n:b:1',
    node_id: 'n',
    boot_id: 'b',
    seq: 1,
    region: 'default',
    flushed_at: HOUR,
    rows: [row(HOUR + 58 * 60_000, 200, 2, 10), row(HOUR + 59 * 60_000, 200, 3, 20), row(HOUR + 60 * 60_000, 200, 1, 40), row(HOUR + 59 * 60_000, 500, 1, 30)],
  });

  it('keeps minutes apart, merges minutes of an hour into one row per key, and stands NO_ENTITY for none', () => {
    expect(rollupRows(batch.rows, 'minute')).toHaveLength(4);
    const hours = rollupRows(batch.rows, 'hour');
    expect(hours.map((r) => [new Date(r.bucket).toISOString(), r.status, r.requests, r.bytesOut, r.gateway.count])).toEqual([
      ['2026-03-01T10:00:00.000Z', 200, 5, 10, 5],
      ['2026-03-01T11:00:00.000Z', 200, 1, 2, 1],
      ['2026-03-01T10:00:00.000Z', 500, 1, 2, 1],
    ]);
    expect(hours[0]).toMatchObject({ serviceId: S, routeId: NO_ENTITY, consumerId: NO_ENTITY });
    const [day200, day500] = rollupRows(batch.rows, 'day');
    expect([day200!.requests, day500!.requests]).toEqual([6, 1]);
    expect(day200!.gateway.quantile(1)).toBeCloseTo(40, 0);
  });

  it("never changes the batch's own histograms, which every granularity reads", () => {
    const before = batch.rows.map((r) => r.gateway_latency.toBase64());
    rollupRows(batch.rows, 'hour');
    rollupRows(batch.rows, 'day');
    expect(batch.rows.map((r) => r.gateway_latency.toBase64())).toEqual(before);
  });
});
