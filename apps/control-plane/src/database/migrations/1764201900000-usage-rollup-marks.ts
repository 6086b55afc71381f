import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Hour and day rollups are built from closed minutes instead of from every batch. Per node, minute
 * rows before `rolled_to` are already in usage_hour and usage_day; rows from `rolled_to` on are not
 * yet (`unrolled_since`: the earliest of those, NULL when there is none).
 *
 * Existing hour and day rows already hold every existing minute row, so each node's mark starts
 * just past its latest minute. Usage workers of the previous version write hour and day rows for
 * every batch and know nothing of the marks: stop them all before this migration runs, or minutes
 * they write afterwards would be rolled a second time.
 */
export class UsageRollupMarks1764201900000 implements MigrationInterface {
  name = 'UsageRollupMarks1764201900000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE usage_rollup_marks (
      node_id text PRIMARY KEY,
      rolled_to timestamptz NOT NULL,
      unrolled_since timestamptz NULL)`);
    // The roller and hour/day analytics read one node's minutes from its mark on.
    await q.query(`CREATE INDEX usage_minute_node_bucket_idx ON usage_minute (node_id, bucket)`);
    await q.query(`INSERT INTO usage_rollup_marks (node_id, rolled_to)
      SELECT node_id, max(bucket) + interval '1 minute' FROM usage_minute GROUP BY node_id`);
  }

  /**
   * Minute rows not rolled yet are missing from usage_hour and usage_day after this: let the
   * roller catch up (no unrolled_since before the last closed minute) before going down.
   */
  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX usage_minute_node_bucket_idx`);
    await q.query(`DROP TABLE usage_rollup_marks`);
  }
}
