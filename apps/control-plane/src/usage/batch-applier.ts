import { Injectable } from '@nestjs/common';
import type { DecodedUsageBatch } from '@tollgate/usage';
import { DataSource } from 'typeorm';
import { GRANULARITIES, rollupRows } from './rollup-rows';
import { RollupWriter } from './rollup-writer';

export type ApplyOutcome = 'applied' | 'duplicate';

/**
 * Applies one usage batch exactly once, in one transaction: record its id, and only if the id is
 * new, add its rows into the minute, hour and day rollups. A failure anywhere rolls all of it back,
 * so a retried job finds the id absent and applies it whole; a second delivery finds it present.
 */
@Injectable()
export class BatchApplier {
  constructor(
    private readonly dataSource: DataSource,
    private readonly rollups: RollupWriter,
  ) {}

  async apply(batch: DecodedUsageBatch): Promise<ApplyOutcome> {
    const requests = batch.rows.reduce((sum, r) => sum + r.count, 0);
    return this.dataSource.transaction(async (db) => {
      // One node's batches touch the same rollup rows (the node is part of every key): they
      // take turns, across workers and replicas; different nodes apply in parallel.
      await db.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`tollgate-usage:${batch.node_id}`]);
      const recorded: unknown[] = await db.query(
        `INSERT INTO usage_batches (id, node_id, region, rows, requests, flushed_at)
         VALUES ($1, $2, $3, $4, $5, to_timestamp($6 / 1000.0))
         ON CONFLICT (id) DO NOTHING RETURNING id`,
        [batch.id, batch.node_id, batch.region, batch.rows.length, requests, batch.flushed_at],
      );
      if (recorded.length === 0) return 'duplicate';
      for (const granularity of GRANULARITIES) {
        await this.rollups.add(db, granularity, batch.region, batch.node_id, rollupRows(batch, granularity));
      }
      return 'applied';
    });
  }
}
