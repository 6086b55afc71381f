import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';

/**
 * How far one node's minutes have been rolled into the hour and day rollups: minute rows before
 * `rolledTo` are in them, minute rows from `rolledTo` on are not (yet).
 */
export interface RollupMark {
  /** Epoch ms, the start of a minute. */
  readonly rolledTo: number;
  /** Epoch ms: no minute row of the node lies in [rolledTo, unrolledSince); null: none from rolledTo on. */
  readonly unrolledSince: number | null;
}

interface StoredMark {
  rolled_to: Date;
  unrolled_since: Date | null;
}

const at = (ms: number) => new Date(ms).toISOString();

/**
 * Reads and moves the per-node rollup marks. Every method taking an EntityManager must run inside
 * a transaction holding the node's usage lock (see `lockNodeUsage`), which is what keeps a mark and
 * the node's rollup rows in step.
 */
@Injectable()
export class RollupMarks {
  constructor(private readonly dataSource: DataSource) {}

  async read(db: EntityManager, nodeId: string): Promise<RollupMark | null> {
    const [mark]: StoredMark[] = await db.query(`SELECT rolled_to, unrolled_since FROM usage_rollup_marks WHERE node_id = $1`, [nodeId]);
    return mark === undefined ? null : { rolledTo: mark.rolled_to.getTime(), unrolledSince: mark.unrolled_since?.getTime() ?? null };
  }

  /** A node's first mark: nothing of it is rolled, nothing before `rolledTo` exists. */
  async create(db: EntityManager, nodeId: string, rolledTo: number): Promise<RollupMark> {
    await db.query(`INSERT INTO usage_rollup_marks (node_id, rolled_to) VALUES ($1, $2::timestamptz)`, [nodeId, at(rolledTo)]);
    return { rolledTo, unrolledSince: null };
  }

  /** Minute rows from `since` on were written and not rolled: moves unrolled_since back to it if it was later (or none). */
  async unrolledFrom(db: EntityManager, nodeId: string, since: number): Promise<void> {
    await db.query(
      `UPDATE usage_rollup_marks SET unrolled_since = $2::timestamptz WHERE node_id = $1 AND (unrolled_since IS NULL OR unrolled_since > $2::timestamptz)`,
      [nodeId, at(since)],
    );
  }

  /**
   * The node's minutes before `to` are now in the hour and day rollups. When it has no minute rows
   * between `to` and `closedTo` either, the mark moves on to `closedTo`. Returns the new rolled_to.
   */
  async rolled(db: EntityManager, nodeId: string, to: number, closedTo: number): Promise<number> {
    const [[moved]]: [{ rolled_to: Date }[], number] = await db.query(
      `WITH later AS (SELECT min(bucket) AS next FROM usage_minute WHERE node_id = $1 AND bucket >= $2::timestamptz)
       UPDATE usage_rollup_marks
       SET rolled_to = CASE WHEN later.next IS NULL OR later.next >= $3::timestamptz THEN $3::timestamptz ELSE $2::timestamptz END,
           unrolled_since = later.next
       FROM later WHERE node_id = $1 RETURNING rolled_to`,
      [nodeId, at(to), at(closedTo)],
    );
    return moved!.rolled_to.getTime();
  }

  /** Nodes with minute rows before `closedTo` not rolled yet (read without a lock: a hint, re-read under it). */
  async nodesBehind(closedTo: number): Promise<string[]> {
    const rows: { node_id: string }[] = await this.dataSource.query(
      `SELECT node_id FROM usage_rollup_marks WHERE unrolled_since < $1::timestamptz ORDER BY unrolled_since, node_id`,
      [at(closedTo)],
    );
    return rows.map((r) => r.node_id);
  }
}

/**
 * Serializes everything that touches one node's rollup rows and mark (batches, rolls), across
 * workers and replicas; different nodes proceed in parallel. Held until the transaction ends.
 */
export async function lockNodeUsage(db: EntityManager, nodeId: string): Promise<void> {
  await db.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`tollgate-usage:${nodeId}`]);
}
