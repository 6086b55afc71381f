import type { MigrationInterface, QueryRunner } from 'typeorm';

const ROLLUPS = ['usage_minute', 'usage_hour', 'usage_day'];

/**
 * Usage analytics: the ids of applied batches (so a batch delivered twice counts once) and
 * per-minute, per-hour and per-day rollups. Rollup keys hold no NULLs (the nil UUID stands for
 * "no route / service / consumer"), so the primary key works with plain equality and ON CONFLICT.
 */
export class UsageRollups1764201805000 implements MigrationInterface {
  name = 'UsageRollups1764201805000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE usage_batches (
      id text PRIMARY KEY,
      node_id text NOT NULL,
      region text NOT NULL,
      rows integer NOT NULL,
      requests bigint NOT NULL,
      flushed_at timestamptz NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now())`);
    await q.query(`CREATE INDEX usage_batches_applied_at_idx ON usage_batches (applied_at)`);
    for (const table of ROLLUPS) {
      // Histograms are LatencyHistogram's compact encoding, merged by the worker. A row is
      // updated by every batch of its node within its bucket: free space on each page lets those
      // updates stay on the page (HOT, no index writes), and vacuum runs early on dead versions.
      await q.query(`CREATE TABLE ${table} (
        bucket timestamptz NOT NULL,
        service_id uuid NOT NULL,
        route_id uuid NOT NULL,
        consumer_id uuid NOT NULL,
        status smallint NOT NULL,
        region text NOT NULL,
        node_id text NOT NULL,
        requests bigint NOT NULL,
        bytes_in bigint NOT NULL,
        bytes_out bigint NOT NULL,
        gateway_latency bytea NOT NULL,
        upstream_latency bytea NOT NULL,
        PRIMARY KEY (bucket, service_id, route_id, consumer_id, status, region, node_id))
        WITH (fillfactor = 70, autovacuum_vacuum_scale_factor = 0.02, autovacuum_analyze_scale_factor = 0.02)`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [...ROLLUPS].reverse()) await q.query(`DROP TABLE IF EXISTS ${table}`);
    await q.query(`DROP TABLE IF EXISTS usage_batches`);
  }
}
