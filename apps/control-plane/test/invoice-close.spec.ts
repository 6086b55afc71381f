// The fixture starts this very app in-process, so the import closes a loop that only tests may close.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { createTestSchema, type TestSchema } from '@tollgate/testing';
import { DataSource } from 'typeorm';
import { InvoiceIssuer } from '../src/billing/invoice-issuer';
import { PeriodClose } from '../src/billing/period-close';
import { dataSourceOptions, MIGRATIONS } from '../src/database/data-source-options';

const ORG = '00000000-0000-4000-8000-0000000000a1';
const CONSUMER = '00000000-0000-4000-8000-000000000001';
const PLAN = '00000000-0000-4000-8000-000000000002';
const SERVICE = '00000000-0000-4000-8000-000000000003';
const OTHER_SERVICE = '00000000-0000-4000-8000-000000000004';
const ROUTE = '00000000-0000-4000-8000-000000000005';
const SUB = '00000000-0000-4000-8000-000000000010';

/** A minute plan: 100 (cents) a period, 1,000 included requests, 250 per 1,000 above. */
const TERMS = { price: 100, currency: 'USD', interval: 'minute', interval_count: 1, quota: { limit: 1000, per: 'interval' }, overage: { price_per_1000: 250 }, rate_limit: null, bill_5xx: false };

interface Line {
  kind: string;
  quantity: string;
  unit_price: string;
  amount: string;
}

describe('period close: one exact invoice per subscription and period', () => {
  let schema: TestSchema;
  let replicas: DataSource[];
  let closers: PeriodClose[];
  /** Period 0 starts at a whole minute, ten minutes ago: periods 0..8 have ended. */
  const anchor = Math.floor(Date.now() / 60_000) * 60 - 600;
  const at = (k: number) => anchor + 60 * k;

  beforeEach(async () => {
    schema = await createTestSchema('invoice-close');
    replicas = [];
    for (let i = 0; i < 2; i++) {
      const db = new DataSource({ ...dataSourceOptions(schema.databaseUrl, schema.name), migrations: MIGRATIONS, migrationsRun: false });
      await db.initialize();
      replicas.push(db);
    }
    await replicas[0]!.runMigrations();
    closers = replicas.map((db) => {
      const close = new PeriodClose(db, new InvoiceIssuer(db));
      close.graceMs = 0;
      return close;
    });
    const q = (sql: string, params: unknown[]) => schema.query(sql, params);
    await q(`INSERT INTO organizations (id, created_at, updated_at, name) VALUES ($1, 1, 1, 'Acme Corp')`, [ORG]);
    await q(`INSERT INTO consumers (id, created_at, updated_at, username) VALUES ($1, 1, 1, 'bob')`, [CONSUMER]);
    await q(
      `INSERT INTO plans (id, created_at, updated_at, organization_id, name, services, currency, price, "interval", interval_count, quota, overage, bill_5xx, "public", terms_version, terms_effective_at, terms_history)
       VALUES ($1, 1, 1, $2, 'gold', $3, 'USD', 100, 'minute', 1, $4, $5, false, true, 1, $6, '[]')`,
      [PLAN, ORG, JSON.stringify([{ id: SERVICE }]), JSON.stringify(TERMS.quota), JSON.stringify(TERMS.overage), at(0)],
    );
    await q(`INSERT INTO plan_versions (plan_id, version, effective_at, terms) VALUES ($1, 1, $2, $3)`, [PLAN, at(0), JSON.stringify(TERMS)]);
    await q(
      `INSERT INTO subscriptions (id, created_at, updated_at, consumer_id, plan_id, status, current_period_start, current_period_end, cancel_at_period_end)
       VALUES ($1, 1, 1, $2, $3, 'active', $4, $5, false)`,
      [SUB, CONSUMER, PLAN, at(0), at(1)],
    );
  });

  afterEach(async () => {
    for (const db of replicas) await db.destroy();
    await schema.drop();
  });

  /** `requests` calls answered `status` in the minute starting at `minute` (Unix seconds). */
  const calls = (minute: number, requests: number, status = 200, service = SERVICE, node = 'dp-1') =>
    schema.query(
      `INSERT INTO usage_minute (bucket, service_id, route_id, consumer_id, status, region, node_id, requests, bytes_in, bytes_out, gateway_latency, upstream_latency)
       VALUES (to_timestamp($1), $2, $3, $4, $5, 'eu', $6, $7, 0, 0, '\\x', '\\x')
       ON CONFLICT (bucket, service_id, route_id, consumer_id, status, region, node_id) DO UPDATE SET requests = usage_minute.requests + EXCLUDED.requests`,
      [minute, service, ROUTE, CONSUMER, status, node, requests],
    );
  const invoices = () =>
    schema.query<{ id: string; number: string; period_start: number; total: string; currency: string; status: string }>(
      `SELECT id, number, period_start, total::text, currency, status FROM invoices ORDER BY number`,
    );
  const lines = (invoiceId: string) =>
    schema.query<Line>(`SELECT kind, quantity::text, unit_price::text, amount::text FROM invoice_lines WHERE invoice_id = $1 ORDER BY position`, [invoiceId]);
  const nowAfter = (k: number) => at(k) * 1000 + 1;

  it('bills base and overage half up at the line total, leaves 5xx, 429 and other services out, and numbers the invoice ACME-CORP-000001', async () => {
    await calls(at(0), 1201);
    await calls(at(0) + 30, 50, 502);
    await calls(at(0) + 30, 7, 429);
    await calls(at(0), 900, 200, OTHER_SERVICE);
    await calls(at(1), 5); // the next period
    const summary = await closers[0]!.closeDue(nowAfter(1));
    expect(summary).toEqual({ issued: 1, skipped: 0, waiting: 0 });
    const [invoice] = await invoices();
    expect(invoice).toMatchObject({ number: 'ACME-CORP-000001', period_start: at(0), currency: 'USD', status: 'issued' });
    // 201 over the quota at 250 per 1,000 = 50.25 → 50.
    expect(await lines(invoice!.id)).toEqual([
      { kind: 'base', quantity: '1', unit_price: '100', amount: '100' },
      { kind: 'overage', quantity: '201', unit_price: '250', amount: '50' },
    ]);
    expect(invoice!.total).toBe('150');
  });

  it('closing twice, and on two replicas at once, issues one invoice per period with gapless numbers', async () => {
    await calls(at(0), 10);
    await calls(at(1), 10);
    await calls(at(2), 10);
    for (let pass = 0; pass < 4; pass++) await Promise.all([closers[0]!.closeDue(nowAfter(3)), closers[1]!.closeDue(nowAfter(3)), closers[0]!.closeDue(nowAfter(3))]);
    const all = await invoices();
    expect(all.map((i) => [i.number, i.period_start])).toEqual([
      ['ACME-CORP-000001', at(0)],
      ['ACME-CORP-000002', at(1)],
      ['ACME-CORP-000003', at(2)],
    ]);
  });

  it('waits for every data plane that reported in the period to report past its end, unless the grace passed', async () => {
    await calls(at(0), 10);
    const batch = (id: string, node: string, flushedAt: number) =>
      schema.query(`INSERT INTO usage_batches (id, node_id, region, rows, requests, flushed_at) VALUES ($1, $2, 'eu', 0, 0, to_timestamp($3))`, [id, node, flushedAt]);
    await batch('b1', 'dp-1', at(0) + 20);
    await batch('b2', 'dp-2', at(0) + 20);
    await batch('b3', 'dp-1', at(1) + 1);
    closers[0]!.graceMs = 60_000;
    expect(await closers[0]!.closeDue(nowAfter(1) + 2000)).toEqual({ issued: 0, skipped: 0, waiting: 1 });
    await batch('b4', 'dp-2', at(1) + 2);
    expect(await closers[0]!.closeDue(nowAfter(1) + 3000)).toEqual({ issued: 1, skipped: 0, waiting: 0 });
  });

  it('bills usage that arrived after its period closed as an adjustment on the next invoice; all invoices sum to the calls made', async () => {
    await calls(at(0), 1100);
    await closers[0]!.closeDue(nowAfter(1));
    await calls(at(0) + 40, 300, 200, SERVICE, 'dp-late'); // held back, applied after the close
    await calls(at(1), 400);
    await closers[0]!.closeDue(nowAfter(2));
    const [first, second] = await invoices();
    expect(await lines(first!.id)).toEqual([
      { kind: 'base', quantity: '1', unit_price: '100', amount: '100' },
      { kind: 'overage', quantity: '100', unit_price: '250', amount: '25' },
    ]);
    expect(await lines(second!.id)).toEqual([
      { kind: 'base', quantity: '1', unit_price: '100', amount: '100' },
      { kind: 'adjustment', quantity: '300', unit_price: '250', amount: '75' },
    ]);
    // A third close finds nothing more of period 0 to adjust.
    await calls(at(2), 1);
    await closers[0]!.closeDue(nowAfter(3));
    const third = (await invoices())[2]!;
    expect((await lines(third.id)).map((l) => l.kind)).toEqual(['base']);
    // Billed overage covers exactly 1,400 calls of period 0: (1,400 - 1,000) × 0.25 = 100.
    const overage = await schema.query<{ s: string }>(`SELECT sum(amount)::text AS s FROM invoice_lines WHERE kind <> 'base'`);
    expect(overage[0]!.s).toBe('100');
  });

  it('a price changed mid-period reaches the next period only: this invoice keeps the old terms', async () => {
    await calls(at(0), 1500);
    await calls(at(1), 1500);
    const newer = { ...TERMS, price: 900, overage: { price_per_1000: 1000 } };
    await schema.query(`INSERT INTO plan_versions (plan_id, version, effective_at, terms) VALUES ($1, 2, $2, $3)`, [PLAN, at(0) + 30, JSON.stringify(newer)]);
    await closers[0]!.closeDue(nowAfter(2));
    await closers[0]!.closeDue(nowAfter(2));
    const [first, second] = await invoices();
    expect(await lines(first!.id)).toEqual([
      { kind: 'base', quantity: '1', unit_price: '100', amount: '100' },
      { kind: 'overage', quantity: '500', unit_price: '250', amount: '125' },
    ]);
    expect(await lines(second!.id)).toEqual([
      { kind: 'base', quantity: '1', unit_price: '900', amount: '900' },
      { kind: 'overage', quantity: '500', unit_price: '1000', amount: '500' },
    ]);
  });

  it('refuses a second live invoice for a period at the database; the migration reverts and reapplies', async () => {
    await closers[0]!.closeDue(nowAfter(1));
    const [invoice] = await invoices();
    await expect(
      schema.query(
        `INSERT INTO invoices (id, number, kind, organization_id, subscription_id, consumer_id, plan_id, terms_version, currency, period_start, period_end, billable, total, status, issued_at)
         SELECT gen_random_uuid(), 'X-1', kind, organization_id, subscription_id, consumer_id, plan_id, terms_version, currency, period_start, period_end, billable, total, 'issued', issued_at FROM invoices WHERE id = $1`,
        [invoice!.id],
      ),
    ).rejects.toThrow(/unique/i);
    expect(await schema.query(`SELECT last_number FROM invoice_counters`)).toEqual([{ last_number: 1 }]);
    await replicas[0]!.undoLastMigration();
    expect(await schema.query(`SELECT to_regclass('invoices') AS i, to_regclass('invoice_lines') AS l, to_regclass('invoice_counters') AS c`)).toEqual([{ i: null, l: null, c: null }]);
    await replicas[0]!.runMigrations();
    expect(await schema.query(`SELECT to_regclass('invoices')::text AS t`)).toEqual([{ t: 'invoices' }]);
  });
});
