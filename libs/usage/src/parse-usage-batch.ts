import { isUuid } from '@tollgate/config';
import { LatencyHistogram } from './latency-histogram';
import { isUsageIdPart, MINUTE_MS, USAGE_BATCH_FORMAT, usageBatchId, type UsageBatch, type UsageRow } from './usage-batch';

/** A batch no retry can fix; the worker fails its job for good (and keeps it for inspection). */
export class UsageBatchError extends Error {}

/** A row whose histograms are decoded: what the control plane adds into its rollups. */
export interface DecodedUsageRow extends Omit<UsageRow, 'gateway_latency' | 'upstream_latency'> {
  readonly gateway_latency: LatencyHistogram;
  readonly upstream_latency: LatencyHistogram;
}

export interface DecodedUsageBatch extends Omit<UsageBatch, 'rows'> {
  readonly rows: readonly DecodedUsageRow[];
}

type Json = Record<string, unknown>;

function fail(path: string, message: string): never {
  throw new UsageBatchError(`usage batch ${path}: ${message}`);
}

function count(value: unknown, path: string): number {
  if (!Number.isSafeInteger(value) || (value as number) < 0) fail(path, 'expected a non-negative integer');
  return value as number;
}

function optionalUuid(value: unknown, path: string): string | null {
  if (value === null) return null;
  if (!isUuid(value)) fail(path, 'expected a UUID or null');
  return value.toLowerCase();
}

function histogram(value: unknown, path: string): LatencyHistogram {
  if (typeof value !== 'string') fail(path, 'expected a base64 latency histogram');
  try {
    return LatencyHistogram.fromBase64(value);
  } catch (err) {
    return fail(path, err instanceof Error ? err.message : String(err));
  }
}

function parseRow(input: unknown, path: string): DecodedUsageRow {
  if (typeof input !== 'object' || input === null) fail(path, 'expected an object');
  const row = input as Json;
  const minute = count(row.minute, `${path}.minute`);
  if (minute % MINUTE_MS !== 0) fail(`${path}.minute`, 'expected the start of a minute in epoch milliseconds');
  const status = count(row.status, `${path}.status`);
  if (status > 999) fail(`${path}.status`, 'expected an HTTP status code');
  const parsed: DecodedUsageRow = {
    minute,
    service_id: optionalUuid(row.service_id, `${path}.service_id`),
    route_id: optionalUuid(row.route_id, `${path}.route_id`),
    consumer_id: optionalUuid(row.consumer_id, `${path}.consumer_id`),
    status,
    count: count(row.count, `${path}.count`),
    bytes_in: count(row.bytes_in, `${path}.bytes_in`),
    bytes_out: count(row.bytes_out, `${path}.bytes_out`),
    gateway_latency: histogram(row.gateway_latency, `${path}.gateway_latency`),
    upstream_latency: histogram(row.upstream_latency, `${path}.upstream_latency`),
  };
  if (parsed.gateway_latency.count > parsed.count || parsed.upstream_latency.count > parsed.count) {
    fail(path, 'a latency histogram holds more values than the row has calls');
  }
  return parsed;
}

/** Checks a job's data against the batch format and decodes its histograms; throws UsageBatchError. */
export function parseUsageBatch(data: unknown): DecodedUsageBatch {
  if (typeof data !== 'object' || data === null) fail('', 'expected an object');
  const b = data as Json;
  if (b.format !== USAGE_BATCH_FORMAT) fail('format', `expected ${USAGE_BATCH_FORMAT}`);
  for (const field of ['node_id', 'boot_id'] as const) {
    if (typeof b[field] !== 'string' || !isUsageIdPart(b[field] as string)) fail(field, 'expected 1-128 letters, digits, dots, dashes or underscores');
  }
  const seq = count(b.seq, 'seq');
  if (b.id !== usageBatchId(b.node_id as string, b.boot_id as string, seq)) fail('id', 'expected node_id:boot_id:seq');
  if (typeof b.region !== 'string' || !/^[a-z0-9][a-z0-9-]{0,62}$/.test(b.region)) fail('region', 'expected a region name');
  const flushedAt = count(b.flushed_at, 'flushed_at');
  if (!Array.isArray(b.rows)) fail('rows', 'expected an array');
  return {
    format: USAGE_BATCH_FORMAT,
    id: b.id as string,
    node_id: b.node_id as string,
    boot_id: b.boot_id as string,
    seq,
    region: b.region,
    flushed_at: flushedAt,
    rows: b.rows.map((row, i) => parseRow(row, `rows[${i}]`)),
  };
}
