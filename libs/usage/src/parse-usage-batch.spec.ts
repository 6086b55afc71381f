import { LatencyHistogram } from './latency-histogram';
import { parseUsageBatch, UsageBatchError } from './parse-usage-batch';
import { isErrorStatus, statusClass } from './usage-batch';
import { usageQueuePrefix, usageRetryDelay, USAGE_RETRY_CAP_MS } from './usage-queue';

const SERVICE = '6f1c2a52-8c1e-4a57-9b67-3a0a3f3b9d01';

function histogram(...values: number[]): string {
  const h = new LatencyHistogram();
  values.forEach((v) => h.record(v));
  return h.toBase64();
}

function batch(overrides: Record<string, unknown> = {}, row: Record<string, unknown> = {}) {
  return {
    format: 1,
    id: 'node-1:boot-a:7',
    node_id: 'node-1',
    boot_id: 'boot-a',
    seq: 7,
    region: 'eu-west',
    flushed_at: 1_764_201_660_000,
    rows: [
      {
        minute: 1_764_201_600_000,
        service_id: SERVICE.toUpperCase(),
        route_id: null,
        consumer_id: null,
        status: 200,
        count: 2,
        bytes_in: 10,
        bytes_out: 20,
        gateway_latency: histogram(1, 2),
        upstream_latency: histogram(30),
        ...row,
      },
    ],
    ...overrides,
  };
}

describe('parseUsageBatch', () => {
  it('accepts a well-formed batch, lower-casing ids and decoding histograms', () => {
    const parsed = parseUsageBatch(batch());
    expect(parsed.rows[0]).toMatchObject({ service_id: SERVICE, route_id: null, count: 2 });
    expect(parsed.rows[0]!.gateway_latency.count).toBe(2);
    expect(parsed.rows[0]!.upstream_latency.count).toBe(1);
  });

  it.each([
    [{ format: 2 }, {}, /format/],
    [{ id: 'node-1:boot-a:8' }, {}, /id: expected node_id:boot_id:seq/],
    [{ node_id: 'a:b', id: 'a:b:boot-a:7' }, {}, /node_id/],
    [{ region: 'EU West' }, {}, /region/],
    [{ rows: {} }, {}, /rows: expected an array/],
    [{}, { minute: 1_764_201_600_001 }, /rows\[0\]\.minute/],
    [{}, { service_id: 'checkout' }, /rows\[0\]\.service_id: expected a UUID/],
    [{}, { count: -1 }, /rows\[0\]\.count/],
    [{}, { bytes_out: 1.5 }, /rows\[0\]\.bytes_out/],
    [{}, { gateway_latency: 'AQAB/w==' }, /rows\[0\]\.gateway_latency/],
    [{}, { count: 1 }, /more values than the row has calls/],
  ])('refuses %j %j', (overrides, row, message) => {
    expect(() => parseUsageBatch(batch(overrides, row))).toThrow(UsageBatchError);
    expect(() => parseUsageBatch(batch(overrides, row))).toThrow(message);
  });
});

describe('usage vocabulary', () => {
  it('names status classes and counts only 5xx as errors', () => {
    expect([0, 101, 204, 302, 429, 503, 1000].map(statusClass)).toEqual(['other', '1xx', '2xx', '3xx', '4xx', '5xx', 'other']);
    expect([200, 404, 429, 499, 500, 504].map(isErrorStatus)).toEqual([false, false, false, false, true, true]);
  });

  it('backs off exponentially up to a cap, and derives the BullMQ prefix from the key prefix', () => {
    expect([1, 2, 3].map(usageRetryDelay)).toEqual([500, 1000, 2000]);
    expect(usageRetryDelay(40)).toBe(USAGE_RETRY_CAP_MS);
    expect(usageQueuePrefix('tollgate:')).toBe('tollgate');
    expect(usageQueuePrefix('tollgate-test:suite:ab12:')).toBe('tollgate-test:suite:ab12');
    expect(usageQueuePrefix('')).toBe('tollgate');
  });
});
