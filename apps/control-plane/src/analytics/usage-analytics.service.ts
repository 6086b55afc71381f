import { Injectable } from '@nestjs/common';
import { LatencyHistogram } from '@tollgate/usage';
import { DataSource } from 'typeorm';
import { providerOrganization } from '../access/caller';
import { replicaQuery } from '../database/read-replica';
import { NO_ENTITY } from '../usage/rollup-rows';
import { NAMED_ENTITIES, UsageEntityNames, type NamedEntity } from './usage-entity-names';
import { decodeUsageOffset, encodeUsageOffset } from './usage-page-offset';
import type { GroupField, UsageQuery } from './usage-query';
import { histogramSql, pageSql, sortColumns, type ResolvedFilters, type SortKey } from './usage-sql';

export interface LatencySummary {
  readonly p50: number | null;
  readonly p95: number | null;
  readonly p99: number | null;
}

export interface EntityRef {
  readonly id: string;
  readonly name: string | null;
}

/** One row of `GET /analytics/usage`: a bucket, the group's fields, and what happened in it. */
export interface UsageResultRow {
  readonly bucket: string;
  readonly [group: string]: unknown;
  readonly requests: number;
  readonly errors: number;
  readonly error_rate: number;
  readonly bytes_in: number;
  readonly bytes_out: number;
  readonly latency: { readonly gateway: LatencySummary; readonly upstream: LatencySummary };
}

export interface UsagePage {
  readonly data: UsageResultRow[];
  readonly offset?: string;
  readonly next: string | null;
}

type PageRow = Record<string, string | number>;
type Latencies = { gateway: LatencyHistogram; upstream: LatencyHistogram };

function rowKey(bucketS: unknown, q: UsageQuery, row: Record<string, unknown>, prefix = ''): string {
  return [String(bucketS), ...q.groupBy.map((f, i) => String(row[prefix ? `${prefix}${i + 1}` : f]))].join('|');
}

function summary(h: LatencyHistogram | undefined): LatencySummary {
  const at = (q: number) => {
    const v = h?.quantile(q) ?? null;
    return v === null ? null : Math.round(v * 1000) / 1000;
  };
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99) };
}

/** Answers `GET /analytics/usage` from the rollups: sums in SQL, latency quantiles merged here. */
@Injectable()
export class UsageAnalytics {
  constructor(
    private readonly dataSource: DataSource,
    private readonly entityNames: UsageEntityNames,
  ) {}

  async usage(q: UsageQuery, path: string, query: Record<string, unknown>): Promise<UsagePage> {
    const organization = providerOrganization();
    const resolved = await this.entityNames.resolve(q.filters);
    const filters = organization === null ? resolved : { ...resolved, organization };
    const after = q.offset === null ? null : decodeUsageOffset(q.offset, q);
    const { sql, params } = pageSql(q, filters, after);
    const fetched = await replicaQuery<PageRow[]>(this.dataSource, sql, params);
    const rows = fetched.slice(0, q.size);
    const [latencies, names] = await Promise.all([this.latencies(q, filters, rows), this.names(q, rows)]);
    const data = rows.map((row) => this.resultRow(q, row, latencies.get(rowKey(row.bucket_s, q, row)), names));
    if (fetched.length <= q.size) return { data, next: null };
    const offset = encodeUsageOffset(this.sortKey(q, rows[rows.length - 1]!));
    const nextParams = new URLSearchParams(Object.entries(query).filter((e): e is [string, string] => typeof e[1] === 'string' && e[0] !== 'offset'));
    nextParams.set('offset', offset);
    return { data, offset, next: `${path}?${nextParams.toString()}` };
  }

  private sortKey(q: UsageQuery, row: PageRow): SortKey {
    return sortColumns(q).map(({ expr }) => {
      if (expr.startsWith('-')) return -Number(row[expr.slice(1)]);
      if (expr === 'rank' || expr === 'bucket_s') return Number(row[expr]);
      return row[expr.replace(/"/g, '')]!;
    });
  }

  /** Merges the stored histograms behind each page row. */
  private async latencies(q: UsageQuery, filters: ResolvedFilters, rows: readonly PageRow[]): Promise<Map<string, Latencies>> {
    const merged = new Map<string, Latencies>();
    if (rows.length === 0) return merged;
    const { sql, params } = histogramSql(q, filters, rows);
    const stored = await replicaQuery<Record<string, unknown>[]>(this.dataSource, sql, params);
    for (const s of stored) {
      const key = rowKey(s.k0, q, s, 'k');
      let m = merged.get(key);
      if (m === undefined) {
        m = { gateway: new LatencyHistogram(), upstream: new LatencyHistogram() };
        merged.set(key, m);
      }
      m.gateway.merge(LatencyHistogram.decode(s.gateway_latency as Buffer));
      m.upstream.merge(LatencyHistogram.decode(s.upstream_latency as Buffer));
    }
    return merged;
  }

  private async names(q: UsageQuery, rows: readonly PageRow[]): Promise<Map<NamedEntity, Map<string, string | null>>> {
    const out = new Map<NamedEntity, Map<string, string | null>>();
    for (const entity of NAMED_ENTITIES) {
      if (!q.groupBy.includes(entity)) continue;
      const ids = [...new Set(rows.map((r) => String(r[entity])).filter((id) => id !== NO_ENTITY))];
      out.set(entity, await this.entityNames.names(entity, ids));
    }
    return out;
  }

  private resultRow(q: UsageQuery, row: PageRow, latency: Latencies | undefined, names: Map<NamedEntity, Map<string, string | null>>): UsageResultRow {
    const requests = Number(row.requests);
    const errors = Number(row.errors);
    const groups: Partial<Record<GroupField, unknown>> = {};
    for (const field of q.groupBy) {
      const value = String(row[field]);
      const named = names.get(field as NamedEntity);
      groups[field] = named === undefined ? value : value === NO_ENTITY ? null : ({ id: value, name: named.get(value) ?? null } satisfies EntityRef);
    }
    return {
      bucket: new Date(Number(row.bucket_s) * 1000).toISOString(),
      ...groups,
      requests,
      errors,
      error_rate: requests === 0 ? 0 : Math.round((errors / requests) * 1e6) / 1e6,
      bytes_in: Number(row.bytes_in),
      bytes_out: Number(row.bytes_out),
      latency: { gateway: summary(latency?.gateway), upstream: summary(latency?.upstream) },
    };
  }
}
