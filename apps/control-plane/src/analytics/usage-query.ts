import { AdminError, AdminErrorCode } from '../admin/admin-error';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../entities/pagination';
import { BUCKET_MS, type Granularity } from '../usage/rollup-rows';

export const GROUP_FIELDS = ['service', 'route', 'consumer', 'region', 'node', 'status_class'] as const;
export type GroupField = (typeof GROUP_FIELDS)[number];
export type Metric = 'requests' | 'errors';
export type UsageFilters = Partial<Record<GroupField, string>>;

/** A checked `GET /analytics/usage` request. */
export interface UsageQuery {
  /** Bucket-aligned start, epoch ms (inclusive). */
  readonly from: number;
  /** Epoch ms (exclusive): buckets starting before it. */
  readonly to: number;
  readonly granularity: Granularity;
  readonly groupBy: readonly GroupField[];
  /** Filters as given: service, route and consumer still hold an id or a name. */
  readonly filters: UsageFilters;
  /** null: rows by bucket, then group. */
  readonly orderBy: Metric | null;
  /** Only the N groups with the highest total `orderBy` (default requests) over the range. */
  readonly top: number | null;
  readonly size: number;
  readonly offset: string | null;
  readonly format: 'json' | 'csv';
}

const PARAMETERS = new Set(['from', 'to', 'granularity', 'group_by', 'order_by', 'top', 'size', 'offset', 'format', ...GROUP_FIELDS]);
const DEFAULT_SPAN_MS: Readonly<Record<Granularity, number>> = { minute: 3_600_000, hour: 86_400_000, day: 30 * 86_400_000 };
/** A month of minutes: enough for any dashboard, and it bounds what one query can make Postgres scan. */
const MAX_BUCKETS = 31 * 24 * 60;
const FILTER_PATTERN: Readonly<Record<GroupField, RegExp>> = {
  service: /^.{1,256}$/s,
  route: /^.{1,256}$/s,
  consumer: /^.{1,256}$/s,
  region: /^[a-z0-9][a-z0-9-]{0,62}$/,
  node: /^[A-Za-z0-9._-]{1,128}$/,
  status_class: /^([1-5]xx|other)$/,
};

/** A 400 naming the parameter at fault, in Kong's schema-violation shape. */
export function invalidParameter(name: string, problem: string): AdminError {
  return new AdminError(AdminErrorCode.SCHEMA_VIOLATION, `schema violation (${name}: ${problem})`, { [name]: problem });
}

function single(query: Record<string, unknown>, name: string): string | undefined {
  const value = query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw invalidParameter(name, 'expected a single value');
  return value;
}

function oneOf<T extends string>(query: Record<string, unknown>, name: string, allowed: readonly T[]): T | undefined {
  const value = single(query, name);
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw invalidParameter(name, `expected one of: ${allowed.join(', ')}`);
  return value as T;
}

/** ISO 8601 with a time zone, or epoch seconds. */
function instant(query: Record<string, unknown>, name: string): number | undefined {
  const value = single(query, name);
  if (value === undefined) return undefined;
  const ms = /^\d{1,11}$/.test(value) ? Number(value) * 1000 : /^\d{4}-\d\d-\d\dT.*(Z|[+-]\d\d:?\d\d)$/.test(value) ? Date.parse(value) : NaN;
  if (!Number.isFinite(ms)) throw invalidParameter(name, 'expected an ISO 8601 time with a zone (2026-11-27T10:00:00Z) or epoch seconds');
  return ms;
}

function integer(query: Record<string, unknown>, name: string, min: number, max: number): number | undefined {
  const value = single(query, name);
  if (value === undefined) return undefined;
  const n = /^\d{1,7}$/.test(value) ? Number(value) : NaN;
  if (!(n >= min && n <= max)) throw invalidParameter(name, `expected an integer from ${min} to ${max}`);
  return n;
}

function groupBy(query: Record<string, unknown>): GroupField[] {
  const value = single(query, 'group_by');
  if (value === undefined || value === '') return [];
  const fields = value.split(',');
  for (const f of fields) {
    if (!(GROUP_FIELDS as readonly string[]).includes(f)) throw invalidParameter('group_by', `unknown field '${f}': expected some of ${GROUP_FIELDS.join(', ')}`);
  }
  if (new Set(fields).size !== fields.length) throw invalidParameter('group_by', 'a field is listed twice');
  return fields as GroupField[];
}

function filters(query: Record<string, unknown>): UsageFilters {
  const out: UsageFilters = {};
  for (const field of GROUP_FIELDS) {
    const value = single(query, field);
    if (value === undefined) continue;
    if (!FILTER_PATTERN[field].test(value)) throw invalidParameter(field, field === 'status_class' ? 'expected 1xx to 5xx or other' : 'invalid value');
    out[field] = value;
  }
  return out;
}

function range(query: Record<string, unknown>, granularity: Granularity, now: number): { from: number; to: number } {
  const size = BUCKET_MS[granularity];
  const to = instant(query, 'to') ?? now;
  const given = instant(query, 'from') ?? to - DEFAULT_SPAN_MS[granularity];
  const from = given - (((given % size) + size) % size);
  if (to <= from) throw invalidParameter('to', "must be later than 'from'");
  if ((to - from) / size > MAX_BUCKETS) throw invalidParameter('to', `range too long: at most ${MAX_BUCKETS} ${granularity} buckets per query`);
  return { from, to };
}

/** Checks every parameter of `GET /analytics/usage`; throws a 400 naming the first one at fault. */
export function parseUsageQuery(query: Record<string, unknown>, now: number): UsageQuery {
  for (const name of Object.keys(query)) {
    if (!PARAMETERS.has(name)) throw invalidParameter(name, 'unknown parameter');
  }
  const granularity = oneOf(query, 'granularity', ['minute', 'hour', 'day'] as const) ?? 'hour';
  const grouped = groupBy(query);
  const top = integer(query, 'top', 1, MAX_PAGE_SIZE) ?? null;
  if (top !== null && grouped.length === 0) throw invalidParameter('top', 'needs group_by: top picks the leading groups');
  const sizeText = single(query, 'size');
  const size = sizeText === undefined ? DEFAULT_PAGE_SIZE : /^\d{1,7}$/.test(sizeText) ? Number(sizeText) : NaN;
  if (!(size >= 1 && size <= MAX_PAGE_SIZE)) throw new AdminError(AdminErrorCode.INVALID_SIZE, `size must be an integer between 1 and ${MAX_PAGE_SIZE}`);
  return {
    ...range(query, granularity, now),
    granularity,
    groupBy: grouped,
    filters: filters(query),
    orderBy: oneOf(query, 'order_by', ['requests', 'errors'] as const) ?? null,
    top,
    size,
    offset: single(query, 'offset') ?? null,
    format: oneOf(query, 'format', ['json', 'csv'] as const) ?? 'json',
  };
}
