import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `Idempotency-Key` on admin POSTs (Stripe's semantics): the first request's answer, kept 24 h.
 * `status` is NULL while that first request runs. `scope` is a digest of the caller's credential
 * header, so two callers' keys never meet.
 */
export class IdempotencyKeys1764202300000 implements MigrationInterface {
  name = 'IdempotencyKeys1764202300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE idempotency_keys (
      scope text NOT NULL,
      key text NOT NULL,
      fingerprint text NOT NULL,
      method text NOT NULL,
      path text NOT NULL,
      status integer NULL,
      content_type text NULL,
      response text NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (scope, key))`);
    // The hourly purge of keys past 24 h.
    await q.query(`CREATE INDEX idempotency_keys_created_at_idx ON idempotency_keys (created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE idempotency_keys`);
  }
}
