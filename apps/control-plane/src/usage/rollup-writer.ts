import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { ROLLUP_TABLE, rollupKey, type Granularity, type RollupRow } from './rollup-rows';

interface StoredHistograms {
  bucket_ms: string;
  service_id: string;
  route_id: string;
  consumer_id: string;
  status: number;
  gateway_latency: Buffer;
  upstream_latency: Buffer;
}

const KEY_COLUMNS = 'bucket, service_id, route_id, consumer_id, status, region, node_id';
const KEYS = `unnest($1::bigint[], $2::uuid[], $3::uuid[], $4::uuid[], $5::smallint[])`;

/**
 * Adds rows of one node (a batch's, or its closed minutes being rolled up) into one rollup table.
 * Counts add in SQL; histograms are merged here (Postgres cannot add them), so the caller must hold
 * the node's usage lock (`lockNodeUsage`): every rollup key includes the node, so no other
 * transaction can touch these rows between the read and the write. Which rows belong in which
 * table is the callers' invariant (see RollupMark): hour and day hold a node's minutes before its
 * `rolled_to`, put there by UsageRoller, or by BatchApplier for a late batch.
 */
@Injectable()
export class RollupWriter {
  async add(db: EntityManager, granularity: Granularity, region: string, nodeId: string, rows: readonly RollupRow[]): Promise<void> {
    if (rows.length === 0) return;
    const table = ROLLUP_TABLE[granularity];
    const keys = [
      rows.map((r) => Math.floor(r.bucket / 1000)),
      rows.map((r) => r.serviceId),
      rows.map((r) => r.routeId),
      rows.map((r) => r.consumerId),
      rows.map((r) => r.status),
    ];
    const merged = await this.mergeStored(db, table, region, nodeId, rows, keys);
    await db.query(
      `INSERT INTO ${table} (${KEY_COLUMNS}, requests, bytes_in, bytes_out, gateway_latency, upstream_latency)
       SELECT to_timestamp(k.b), k.s, k.r, k.c, k.st, $6, $7, k.n, k.bi, k.bo, k.g, k.u
       FROM unnest($1::bigint[], $2::uuid[], $3::uuid[], $4::uuid[], $5::smallint[],
                   $8::bigint[], $9::bigint[], $10::bigint[], $11::bytea[], $12::bytea[]) AS k(b, s, r, c, st, n, bi, bo, g, u)
       ON CONFLICT (${KEY_COLUMNS}) DO UPDATE SET
         requests = ${table}.requests + EXCLUDED.requests,
         bytes_in = ${table}.bytes_in + EXCLUDED.bytes_in,
         bytes_out = ${table}.bytes_out + EXCLUDED.bytes_out,
         gateway_latency = EXCLUDED.gateway_latency,
         upstream_latency = EXCLUDED.upstream_latency`,
      [
        ...keys,
        region,
        nodeId,
        rows.map((r) => r.requests),
        rows.map((r) => r.bytesIn),
        rows.map((r) => r.bytesOut),
        merged.map((m) => m.gateway),
        merged.map((m) => m.upstream),
      ],
    );
  }

  /** Each row's histograms merged with what the table already holds for its key, encoded. */
  private async mergeStored(
    db: EntityManager,
    table: string,
    region: string,
    nodeId: string,
    rows: readonly RollupRow[],
    keys: unknown[][],
  ): Promise<{ gateway: Buffer; upstream: Buffer }[]> {
    const stored: StoredHistograms[] = await db.query(
      `SELECT (extract(epoch FROM t.bucket) * 1000)::bigint::text AS bucket_ms, t.service_id, t.route_id, t.consumer_id, t.status,
              t.gateway_latency, t.upstream_latency
       FROM ${table} t JOIN ${KEYS} AS k(b, s, r, c, st)
         ON t.bucket = to_timestamp(k.b) AND t.service_id = k.s AND t.route_id = k.r AND t.consumer_id = k.c AND t.status = k.st
       WHERE t.region = $6 AND t.node_id = $7`,
      [...keys, region, nodeId],
    );
    const byKey = new Map(stored.map((s) => [rollupKey(Number(s.bucket_ms), s.service_id, s.route_id, s.consumer_id, s.status), s]));
    return rows.map((row) => {
      const old = byKey.get(rollupKey(row.bucket, row.serviceId, row.routeId, row.consumerId, row.status));
      if (old === undefined) return { gateway: row.gateway.encode(), upstream: row.upstream.encode() };
      return { gateway: row.gateway.mergedWithEncoded(old.gateway_latency), upstream: row.upstream.mergedWithEncoded(old.upstream_latency) };
    });
  }
}
