import { Injectable } from '@nestjs/common';
import type { DecodedUsageBatch } from '@tollgate/usage';
import { DataSource } from 'typeorm';
import { lockNodeUsage, RollupMarks } from './rollup-marks';
import { ROLLED_GRANULARITIES, rollupRows } from './rollup-rows';
import { RollupWriter } from './rollup-writer';
import { UsageMetrics } from './usage-metrics';

export type ApplyOutcome = 'applied' | 'duplicate';

/**
 * Applies one usage batch exactly once, in one transaction: record its id, and only if the id is
 * new, add its rows into the minute rollup. Hour and day rollups are built later from closed
 * minutes (UsageRoller), so a batch only adds into them the rows of minutes its node has already
 * rolled (a late batch): every minute row is counted in hour and day exactly once, either here or
 * by the roll. A failure anywhere rolls all of it back, so a retried job finds the id absent and
 * applies it whole; a second delivery finds it present.
 */
@Injectable()
export class BatchApplier {
  constructor(
    private readonly dataSource: DataSource,
    private readonly rollups: RollupWriter,
    private readonly marks: RollupMarks,
    private readonly metrics: UsageMetrics,
  ) {}

  async apply(batch: DecodedUsageBatch): Promise<ApplyOutcome> {
    const requests = batch.rows.reduce((sum, r) => sum + r.count, 0);
    let lateRows = 0;
    const outcome = await this.dataSource.transaction(async (db): Promise<ApplyOutcome> => {
      // One node's batches and rolls touch the same rollup rows and mark: they take turns.
      await lockNodeUsage(db, batch.node_id);
      const recorded: unknown[] = await db.query(
        `INSERT INTO usage_batches (id, node_id, region, rows, requests, flushed_at)
         VALUES ($1, $2, $3, $4, $5, to_timestamp($6 / 1000.0))
         ON CONFLICT (id) DO NOTHING RETURNING id`,
        [batch.id, batch.node_id, batch.region, batch.rows.length, requests, batch.flushed_at],
      );
      if (recorded.length === 0) return 'duplicate';
      if (batch.rows.length === 0) return 'applied';
      const mark = (await this.marks.read(db, batch.node_id)) ?? (await this.marks.create(db, batch.node_id, earliestMinute(batch)));
      await this.rollups.add(db, 'minute', batch.region, batch.node_id, rollupRows(batch.rows, 'minute'));
      const late = batch.rows.filter((r) => r.minute < mark.rolledTo);
      for (const granularity of ROLLED_GRANULARITIES) {
        await this.rollups.add(db, granularity, batch.region, batch.node_id, rollupRows(late, granularity));
      }
      lateRows = late.length;
      if (late.length < batch.rows.length) {
        const unrolled = earliestMinute(batch, mark.rolledTo);
        // Most batches repeat a minute already marked: they write no mark.
        if (mark.unrolledSince === null || unrolled < mark.unrolledSince) await this.marks.unrolledFrom(db, batch.node_id, unrolled);
      }
      return 'applied';
    });
    if (lateRows > 0) this.metrics.lateRows.inc(lateRows);
    return outcome;
  }
}

/** The earliest minute in the batch at or after `from`. */
function earliestMinute(batch: DecodedUsageBatch, from = -Infinity): number {
  let earliest = Infinity;
  for (const r of batch.rows) if (r.minute >= from && r.minute < earliest) earliest = r.minute;
  return earliest;
}
