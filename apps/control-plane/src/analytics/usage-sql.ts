import { ROLLUP_TABLE } from '../usage/rollup-rows';
import type { GroupField, UsageQuery } from './usage-query';

/** Filters with service, route and consumer resolved to ids; a provider's organization confines rows to its services. */
export type ResolvedFilters = Partial<Record<GroupField, string>> & { readonly organization?: string };

/** The sort position of a row, in ORDER BY order: what a page offset holds. */
export type SortKey = readonly (number | string)[];

const STATUS_CLASS_SQL = `CASE WHEN status BETWEEN 100 AND 599 THEN (status / 100)::text || 'xx' ELSE 'other' END`;

/** Each group field's column (or expression) in the rollups and its SQL type. */
export const GROUP_COLUMNS: Readonly<Record<GroupField, { readonly expr: string; readonly type: 'uuid' | 'text' }>> = {
  service: { expr: 'service_id', type: 'uuid' },
  route: { expr: 'route_id', type: 'uuid' },
  consumer: { expr: 'consumer_id', type: 'uuid' },
  region: { expr: 'region', type: 'text' },
  node: { expr: 'node_id', type: 'text' },
  status_class: { expr: STATUS_CLASS_SQL, type: 'text' },
};

/** Positional parameters with their casts, numbered as they are added. */
class Params {
  readonly values: unknown[] = [];
  add(value: unknown, type: string): string {
    this.values.push(value);
    return `$${this.values.length}::${type}`;
  }
}

function whereClause(q: UsageQuery, filters: ResolvedFilters, params: Params): string {
  const where = [`bucket >= to_timestamp(${params.add(q.from / 1000, 'float8')})`, `bucket < to_timestamp(${params.add(q.to / 1000, 'float8')})`];
  const { organization, ...groups } = filters;
  if (organization !== undefined) where.push(`service_id IN (SELECT id FROM services WHERE organization_id = ${params.add(organization, 'uuid')})`);
  for (const [field, value] of Object.entries(groups) as [GroupField, string][]) {
    const column = GROUP_COLUMNS[field];
    where.push(`${column.expr} = ${params.add(value, column.type)}`);
  }
  return where.join(' AND ');
}

const KEY_COLUMNS = 'service_id, route_id, consumer_id, status, region';
const COUNTED_COLUMNS = 'requests, bytes_in, bytes_out, gateway_latency, upstream_latency';

/**
 * The rows a query reads, as a FROM item. Minute: usage_minute. Hour and day: their rollup plus
 * the minute rows not rolled into it yet (each node's from its mark on) in the same buckets, so
 * the answer is exact before, during and after a roll (a roll commits its rollup rows and its
 * mark together, and one statement sees either both or neither).
 */
function sourceSql(q: UsageQuery, params: Params): string {
  if (q.granularity === 'minute') return ROLLUP_TABLE.minute;
  const unit = q.granularity;
  // `from` is bucket-aligned: a minute is in range when its bucket is.
  const from = `to_timestamp(${params.add(q.from / 1000, 'float8')})`;
  const to = `to_timestamp(${params.add(q.to / 1000, 'float8')}) + interval '1 ${unit}'`;
  // OFFSET 0 keeps the subquery per mark, an index range scan of one node's unrolled minutes:
  // flattened into a join, the planner may scan every minute row kept (48 h by default).
  return `(SELECT bucket, ${KEY_COLUMNS}, node_id, ${COUNTED_COLUMNS} FROM ${ROLLUP_TABLE[unit]}
    UNION ALL
    SELECT unrolled.bucket, ${KEY_COLUMNS}, mark.node_id, ${COUNTED_COLUMNS}
    FROM usage_rollup_marks mark CROSS JOIN LATERAL (
      SELECT date_trunc('${unit}', m.bucket, 'UTC') AS bucket, ${KEY_COLUMNS}, ${COUNTED_COLUMNS} FROM usage_minute m
      WHERE m.node_id = mark.node_id AND m.bucket >= greatest(mark.rolled_to, ${from}) AND m.bucket < ${to} OFFSET 0) unrolled
  ) AS usage_rows`;
}

function aliases(q: UsageQuery): string[] {
  return q.groupBy.map((f) => `"${f}"`);
}

/** Sort expressions over the aggregated rows, matching SortKey's order. */
export function sortColumns(q: UsageQuery): { expr: string; type: string }[] {
  const groups = q.groupBy.map((f) => ({ expr: `"${f}"`, type: GROUP_COLUMNS[f].type }));
  if (q.top !== null) return [{ expr: 'rank', type: 'bigint' }, { expr: 'bucket_s', type: 'bigint' }];
  const bucketAndGroups = [{ expr: 'bucket_s', type: 'bigint' }, ...groups];
  return q.orderBy === null ? bucketAndGroups : [{ expr: `-${q.orderBy}`, type: 'bigint' }, ...bucketAndGroups];
}

/**
 * One page of aggregated rows (without latencies): sums per (bucket, groups) from the
 * granularity's rows (see sourceSql), optionally cut to the top-N groups, ordered, after the offset's row.
 */
export function pageSql(q: UsageQuery, filters: ResolvedFilters, after: SortKey | null): { sql: string; params: unknown[] } {
  const params = new Params();
  const groups = q.groupBy.map((f) => `${GROUP_COLUMNS[f].expr} AS "${f}"`);
  const groupNames = aliases(q);
  const aggregate = `SELECT extract(epoch FROM bucket)::bigint AS bucket_s${groups.map((g) => `, ${g}`).join('')},
      sum(requests)::bigint AS requests,
      coalesce(sum(requests) FILTER (WHERE status BETWEEN 500 AND 599), 0)::bigint AS errors,
      sum(bytes_in)::bigint AS bytes_in, sum(bytes_out)::bigint AS bytes_out
    FROM ${sourceSql(q, params)} WHERE ${whereClause(q, filters, params)}
    GROUP BY 1${groupNames.map((_, i) => `, ${i + 2}`).join('')}`;
  let sql = `WITH agg AS (${aggregate})`;
  let source = 'agg';
  if (q.top !== null) {
    const metric = q.orderBy ?? 'requests';
    sql += `, ranked AS (SELECT ${groupNames.join(', ')}, row_number() OVER (ORDER BY sum(${metric}) DESC, ${groupNames.join(', ')}) AS rank
      FROM agg GROUP BY ${groupNames.join(', ')} ORDER BY rank LIMIT ${params.add(q.top, 'bigint')})`;
    source = `agg JOIN ranked USING (${groupNames.join(', ')})`;
  }
  const sort = sortColumns(q);
  const keyset = after === null ? '' : `WHERE (${sort.map((c) => c.expr).join(', ')}) > (${sort.map((c, i) => params.add(after[i], c.type)).join(', ')})`;
  sql += ` SELECT * FROM ${source} ${keyset} ORDER BY ${sort.map((c) => c.expr).join(', ')} LIMIT ${params.add(q.size + 1, 'bigint')}`;
  return { sql, params: params.values };
}

/** The stored histograms behind a page's rows (same filters, only those buckets and groups). */
export function histogramSql(q: UsageQuery, filters: ResolvedFilters, rows: readonly Record<string, unknown>[]): { sql: string; params: unknown[] } {
  const params = new Params();
  const source = sourceSql(q, params);
  const where = whereClause(q, filters, params);
  const keyColumns = ['extract(epoch FROM bucket)::bigint', ...q.groupBy.map((f) => GROUP_COLUMNS[f].expr)];
  const keyArrays = [
    params.add(rows.map((r) => r.bucket_s), 'bigint[]'),
    ...q.groupBy.map((f) => params.add(rows.map((r) => r[f]), `${GROUP_COLUMNS[f].type}[]`)),
  ];
  const sql = `SELECT ${keyColumns.map((c, i) => `${c} AS k${i}`).join(', ')}, gateway_latency, upstream_latency
    FROM ${source}
    WHERE ${where} AND (${keyColumns.join(', ')}) IN (SELECT * FROM unnest(${keyArrays.join(', ')}))`;
  return { sql, params: params.values };
}
