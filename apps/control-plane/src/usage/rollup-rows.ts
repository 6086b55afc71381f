import { LatencyHistogram, type DecodedUsageRow } from '@tollgate/usage';

export type Granularity = 'minute' | 'hour' | 'day';
/** Built from closed minutes (UsageRoller), not from every batch. */
export const ROLLED_GRANULARITIES: readonly Granularity[] = ['hour', 'day'];

export const BUCKET_MS: Readonly<Record<Granularity, number>> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };
export const ROLLUP_TABLE: Readonly<Record<Granularity, string>> = { minute: 'usage_minute', hour: 'usage_hour', day: 'usage_day' };

/** Stands for "none" in rollup keys (no route matched, no consumer identified). */
export const NO_ENTITY = '00000000-0000-0000-0000-000000000000';

/** One rollup row's key (within a batch's node and region) and what it adds. */
export interface RollupRow {
  /** Bucket start, epoch ms (UTC). */
  readonly bucket: number;
  readonly serviceId: string;
  readonly routeId: string;
  readonly consumerId: string;
  readonly status: number;
  requests: number;
  bytesIn: number;
  bytesOut: number;
  /** Read-only: may be the batch row's own histogram (see `rollupRows`). */
  gateway: LatencyHistogram;
  upstream: LatencyHistogram;
}

export function rollupKey(bucket: number, serviceId: string, routeId: string, consumerId: string, status: number): string {
  return `${bucket}|${serviceId}|${routeId}|${consumerId}|${status}`;
}

/**
 * Usage rows (a batch's, or closed minutes being rolled up) in one granularity's buckets, one row
 * per key: several minutes fall into one hour, and one INSERT ... ON CONFLICT may not touch a row
 * twice. A key seen once keeps the input row's histograms (no copy: this is the worker's hot
 * loop); a key seen again gets a merged copy, so the input's own histograms stay intact for the
 * other granularities.
 */
export function rollupRows(input: readonly DecodedUsageRow[], granularity: Granularity): RollupRow[] {
  const size = BUCKET_MS[granularity];
  const rows = new Map<string, RollupRow>();
  const copied = new Set<RollupRow>();
  for (const r of input) {
    const bucket = r.minute - (r.minute % size);
    const serviceId = r.service_id ?? NO_ENTITY;
    const routeId = r.route_id ?? NO_ENTITY;
    const consumerId = r.consumer_id ?? NO_ENTITY;
    const key = rollupKey(bucket, serviceId, routeId, consumerId, r.status);
    const row = rows.get(key);
    if (row === undefined) {
      const { count: requests, bytes_in: bytesIn, bytes_out: bytesOut, gateway_latency: gateway, upstream_latency: upstream } = r;
      rows.set(key, { bucket, serviceId, routeId, consumerId, status: r.status, requests, bytesIn, bytesOut, gateway, upstream });
      continue;
    }
    row.requests += r.count;
    row.bytesIn += r.bytes_in;
    row.bytesOut += r.bytes_out;
    if (!copied.has(row)) {
      row.gateway = new LatencyHistogram().merge(row.gateway);
      row.upstream = new LatencyHistogram().merge(row.upstream);
      copied.add(row);
    }
    row.gateway.merge(r.gateway_latency);
    row.upstream.merge(r.upstream_latency);
  }
  return [...rows.values()];
}
