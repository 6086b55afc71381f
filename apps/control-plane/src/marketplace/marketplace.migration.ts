import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `plans` (an organization's priced terms for some services), their term versions, and
 * `subscriptions`: at most one active subscription per consumer and plan.
 */
export class Marketplace1764202400000 implements MigrationInterface {
  name = 'Marketplace1764202400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE plans (
      id uuid PRIMARY KEY, created_at integer NOT NULL, updated_at integer NOT NULL,
      organization_id uuid REFERENCES organizations (id),
      name text NOT NULL UNIQUE, services jsonb NOT NULL, currency text NOT NULL, price integer NOT NULL,
      "interval" text NOT NULL, interval_count integer NOT NULL, quota jsonb, overage jsonb NOT NULL, rate_limit jsonb,
      bill_5xx boolean NOT NULL, "public" boolean NOT NULL,
      terms_version integer NOT NULL, terms_effective_at integer NOT NULL, terms_history jsonb NOT NULL, tags text[])`);
    await q.query(`CREATE INDEX plans_organization_id_idx ON plans (organization_id)`);
    await q.query(`CREATE INDEX plans_tags_idx ON plans USING gin (tags)`);
    // Written before the plan row in the same transaction: the reference is checked at commit.
    await q.query(`CREATE TABLE plan_versions (
      plan_id uuid NOT NULL REFERENCES plans (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
      version integer NOT NULL, effective_at integer NOT NULL, terms jsonb NOT NULL,
      PRIMARY KEY (plan_id, version))`);
    await q.query(`CREATE TABLE subscriptions (
      id uuid PRIMARY KEY, created_at integer NOT NULL, updated_at integer NOT NULL,
      consumer_id uuid NOT NULL REFERENCES consumers (id) ON DELETE CASCADE,
      plan_id uuid NOT NULL REFERENCES plans (id),
      status text NOT NULL, current_period_start integer NOT NULL, current_period_end integer NOT NULL,
      canceled_at integer, cancel_at_period_end boolean NOT NULL, tags text[])`);
    await q.query(`CREATE UNIQUE INDEX subscriptions_active_consumer_plan_idx ON subscriptions (consumer_id, plan_id) WHERE status = 'active'`);
    await q.query(`CREATE INDEX subscriptions_consumer_id_idx ON subscriptions (consumer_id)`);
    await q.query(`CREATE INDEX subscriptions_plan_id_idx ON subscriptions (plan_id)`);
    await q.query(`CREATE INDEX subscriptions_tags_idx ON subscriptions USING gin (tags)`);
  }

  /** Drops every plan, version and subscription: the data planes then enforce no plan at all. */
  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE subscriptions`);
    await q.query(`DROP TABLE plan_versions`);
    await q.query(`DROP TABLE plans`);
  }
}
