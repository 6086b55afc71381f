import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';

export interface UsageRetentionPolicy {
  /** Minute rollups older than this are dropped once rolled up; hour and day rollups are kept. */
  readonly minuteRowsMs: number;
  /**
   * Applied batch ids are kept this long to refuse redeliveries. It must outlast the longest a
   * batch can wait in a data plane's journal or in the queue.
   */
  readonly batchIdsMs: number;
}

const SWEEP_MS = 5 * 60_000;
/** Deletes in slices so a sweep never holds long locks against the ingestion worker. */
const SLICE = 10_000;

/**
 * Drops old minute rollups and old batch ids. A minute row is dropped only once it is in the hour
 * and day rollups, before its node's `rolled_to` (a node whose roller is behind keeps its minutes,
 * which hour and day analytics still read). Every replica sweeps; deletes are idempotent, so
 * replicas never conflict. A batch arriving later than the minute retention recreates its minute
 * rows (and adds into hour and day: its minute was rolled), which the next sweep drops again.
 */
@Injectable()
export class UsageRetention {
  private readonly logger = new Logger('UsageRetention');
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly dataSource: DataSource) {}

  start(policy: UsageRetentionPolicy): void {
    this.timer = setInterval(() => {
      this.sweep(policy).catch((err: unknown) => this.logger.warn(`usage retention sweep failed: ${String(err)}`));
    }, SWEEP_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** One sweep as of `now`; returns how many minute rows and batch ids it dropped. */
  async sweep(policy: UsageRetentionPolicy, now = Date.now()): Promise<{ minuteRows: number; batchIds: number }> {
    const minuteRows = await this.deleteInSlices(
      `DELETE FROM usage_minute WHERE ctid IN (
         SELECT m.ctid FROM usage_minute m JOIN usage_rollup_marks k ON k.node_id = m.node_id
         WHERE m.bucket < to_timestamp($1 / 1000.0) AND m.bucket < k.rolled_to LIMIT ${SLICE})`,
      now - policy.minuteRowsMs,
    );
    const batchIds = await this.deleteInSlices(
      `DELETE FROM usage_batches WHERE ctid IN (SELECT ctid FROM usage_batches WHERE applied_at < to_timestamp($1 / 1000.0) LIMIT ${SLICE})`,
      now - policy.batchIdsMs,
    );
    return { minuteRows, batchIds };
  }

  private async deleteInSlices(sql: string, before: number): Promise<number> {
    let total = 0;
    for (;;) {
      const [, deleted] = (await this.dataSource.query(sql, [before])) as [unknown, number];
      total += deleted;
      if (deleted < SLICE) return total;
    }
  }
}
