// The fixture starts this very app in-process, so the import closes a loop that only tests may close.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { createTestSchema } from '@tollgate/testing';
import { DataSource } from 'typeorm';
import { dataSourceOptions, MIGRATIONS } from '../src/database/data-source-options';

const CONSUMER = '00000000-0000-4000-8000-000000000001';
const PLAN = '00000000-0000-4000-8000-000000000002';

function subscribe(db: DataSource, id: string, status: string): Promise<unknown> {
  return db.query(
    `INSERT INTO subscriptions (id, created_at, updated_at, consumer_id, plan_id, status, current_period_start, current_period_end, cancel_at_period_end)
     VALUES ($1, 1, 1, $2, $3, $4, 1, 2, false)`,
    [id, CONSUMER, PLAN, status],
  );
}

describe('migration: plans, plan_versions, subscriptions', () => {
  it('allows one active subscription per consumer and plan (canceled ones aside), and reverts cleanly', async () => {
    const schema = await createTestSchema('marketplace-migration');
    const db = new DataSource({ ...dataSourceOptions(schema.databaseUrl, schema.name), migrations: MIGRATIONS });
    try {
      await db.initialize();
      await db.query(`INSERT INTO consumers (id, created_at, updated_at, username) VALUES ($1, 1, 1, 'bob')`, [CONSUMER]);
      await db.query(
        `INSERT INTO plans (id, created_at, updated_at, name, services, currency, price, "interval", interval_count, overage, bill_5xx, "public", terms_version, terms_effective_at, terms_history)
         VALUES ($1, 1, 1, 'p', '[]', 'USD', 100, 'month', 1, '"block"', false, false, 1, 1, '[]')`,
        [PLAN],
      );
      await subscribe(db, '00000000-0000-4000-8000-000000000010', 'canceled');
      await subscribe(db, '00000000-0000-4000-8000-000000000011', 'canceled');
      await subscribe(db, '00000000-0000-4000-8000-000000000012', 'active');
      await expect(subscribe(db, '00000000-0000-4000-8000-000000000013', 'active')).rejects.toThrow(/unique/i);
      // Later migrations (invoices) go first, down to and including this one.
      for (let undone = ''; undone !== 'Marketplace1764202400000'; ) {
        undone = ((await db.query(`SELECT name FROM migrations ORDER BY id DESC LIMIT 1`)) as { name: string }[])[0]!.name;
        await db.undoLastMigration();
      }
      expect(await db.query(`SELECT to_regclass('subscriptions') AS s, to_regclass('plans') AS p, to_regclass('plan_versions') AS v`)).toEqual([{ s: null, p: null, v: null }]);
      await db.runMigrations();
      expect(await db.query(`SELECT to_regclass('subscriptions')::text AS t`)).toEqual([{ t: 'subscriptions' }]);
    } finally {
      await db.destroy();
      await schema.drop();
    }
  });
});
