import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `invoices` and their `invoice_lines`, and `invoice_counters`: one row per organization holding
 * the last number it issued, bumped in the invoice's own transaction so numbers have no gaps.
 */
export class Invoices1764202500000 implements MigrationInterface {
  name = 'Invoices1764202500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE invoice_counters (
      organization_key text PRIMARY KEY, last_number integer NOT NULL)`);
    // kind 'period' is the one invoice of a (subscription, period); 'adjustment' bills usage of
    // a canceled subscription that arrived after its last invoice.
    await q.query(`CREATE TABLE invoices (
      id uuid PRIMARY KEY, number text NOT NULL UNIQUE, kind text NOT NULL,
      organization_id uuid REFERENCES organizations (id), subscription_id uuid NOT NULL, consumer_id uuid NOT NULL,
      plan_id uuid NOT NULL, terms_version integer NOT NULL,
      currency text NOT NULL, period_start integer NOT NULL, period_end integer NOT NULL,
      billable bigint NOT NULL, total bigint NOT NULL, status text NOT NULL,
      issued_at integer NOT NULL, paid_at integer, voided_at integer, replaces uuid REFERENCES invoices (id))`);
    // A voided invoice stays; its replacement is the one live invoice of the period.
    await q.query(`CREATE UNIQUE INDEX invoices_subscription_period_idx ON invoices (subscription_id, period_start) WHERE kind = 'period' AND status <> 'void'`);
    await q.query(`CREATE INDEX invoices_organization_issued_idx ON invoices (organization_id, issued_at, id)`);
    await q.query(`CREATE INDEX invoices_consumer_idx ON invoices (consumer_id)`);
    await q.query(`CREATE TABLE invoice_lines (
      invoice_id uuid NOT NULL REFERENCES invoices (id) ON DELETE CASCADE, position integer NOT NULL,
      kind text NOT NULL, description text NOT NULL, quantity bigint NOT NULL, unit_price bigint NOT NULL, amount bigint NOT NULL,
      covers_period_start integer, covers_billable bigint,
      PRIMARY KEY (invoice_id, position))`);
    // A period's billable count reads one consumer's minutes; the rollup key leads with the bucket
    // and service. Neither column is ever updated, so batches still update rows in place (HOT).
    await q.query(`CREATE INDEX usage_minute_consumer_bucket_idx ON usage_minute (consumer_id, bucket)`);
    await q.query(`CREATE INDEX invoice_lines_covers_idx ON invoice_lines (covers_period_start) WHERE kind = 'adjustment'`);
  }

  /** Drops every invoice and the numbering: a provider's record of what it billed is gone. */
  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX usage_minute_consumer_bucket_idx`);
    await q.query(`DROP TABLE invoice_lines`);
    await q.query(`DROP TABLE invoices`);
    await q.query(`DROP TABLE invoice_counters`);
  }
}
