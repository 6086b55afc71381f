/**
 * Closing SUBSCRIPTIONS subscriptions' periods (issue 13): one PeriodClose pass over N
 * subscriptions of 10 organizations' minute plans, each with usage over its quota, then a second
 * pass (nothing left to issue). Prints wall time, invoices per second, and checks one invoice per
 * subscription with gapless numbers per organization.
 *
 *   node -r ./tools/register.js test/bench/invoice-close.bench.ts   (SUBSCRIPTIONS= to resize, default 100000; CONCURRENCY= invoices at once, default 4)
 */
import { createTestSchema } from '@tollgate/testing';
import { DataSource } from 'typeorm';
import { InvoiceIssuer } from '../../apps/control-plane/src/billing/invoice-issuer';
import { PeriodClose } from '../../apps/control-plane/src/billing/period-close';
import { dataSourceOptions, MIGRATIONS } from '../../apps/control-plane/src/database/data-source-options';

const N = Number(process.env.SUBSCRIPTIONS ?? 100_000);
const ORGS = 10;

async function seed(db: DataSource, anchor: number): Promise<void> {
  const terms = { price: 1900, currency: 'USD', interval: 'minute', interval_count: 1, quota: { limit: 1000, per: 'interval' }, overage: { price_per_1000: 250 }, rate_limit: null, bill_5xx: false };
  await db.query(`INSERT INTO organizations (id, created_at, updated_at, name) SELECT ('00000000-0000-4000-8001-' || lpad(to_hex(o), 12, '0'))::uuid, 1, 1, 'org' || o FROM generate_series(0, ${ORGS - 1}) o`);
  await db.query(
    `INSERT INTO plans (id, created_at, updated_at, organization_id, name, services, currency, price, "interval", interval_count, quota, overage, bill_5xx, "public", terms_version, terms_effective_at, terms_history)
     SELECT ('00000000-0000-4000-8002-' || lpad(to_hex(o), 12, '0'))::uuid, 1, 1, ('00000000-0000-4000-8001-' || lpad(to_hex(o), 12, '0'))::uuid, 'plan' || o,
            jsonb_build_array(jsonb_build_object('id', '00000000-0000-4000-8003-' || lpad(to_hex(o), 12, '0'))), 'USD', 1900, 'minute', 1, $1, $2, false, true, 1, $3, '[]'
       FROM generate_series(0, ${ORGS - 1}) o`,
    [JSON.stringify(terms.quota), JSON.stringify(terms.overage), anchor],
  );
  await db.query(`INSERT INTO plan_versions (plan_id, version, effective_at, terms) SELECT id, 1, $1, $2 FROM plans`, [anchor, JSON.stringify(terms)]);
  await db.query(`INSERT INTO consumers (id, created_at, updated_at, username) SELECT ('00000000-0000-4000-8004-' || lpad(to_hex(i), 12, '0'))::uuid, 1, 1, 'c' || i FROM generate_series(0, ${N - 1}) i`);
  await db.query(
    `INSERT INTO subscriptions (id, created_at, updated_at, consumer_id, plan_id, status, current_period_start, current_period_end, cancel_at_period_end)
     SELECT gen_random_uuid(), 1, 1, ('00000000-0000-4000-8004-' || lpad(to_hex(i), 12, '0'))::uuid, ('00000000-0000-4000-8002-' || lpad(to_hex(i % ${ORGS}), 12, '0'))::uuid,
            'active', $1, $1 + 60, false FROM generate_series(0, ${N - 1}) i`,
    [anchor],
  );
  await db.query(
    `INSERT INTO usage_minute (bucket, service_id, route_id, consumer_id, status, region, node_id, requests, bytes_in, bytes_out, gateway_latency, upstream_latency)
     SELECT to_timestamp($1), ('00000000-0000-4000-8003-' || lpad(to_hex(i % ${ORGS}), 12, '0'))::uuid, '00000000-0000-4000-8005-000000000000',
            ('00000000-0000-4000-8004-' || lpad(to_hex(i), 12, '0'))::uuid, 200, 'eu', 'dp-1', 1000 + i % 3000, 0, 0, '\\x', '\\x'
       FROM generate_series(0, ${N - 1}) i`,
    [anchor],
  );
  await db.query(`ANALYZE`);
}

async function main(): Promise<void> {
  const schema = await createTestSchema('invoice-close-bench');
  const db = new DataSource({ ...dataSourceOptions(schema.databaseUrl, schema.name), migrations: MIGRATIONS });
  try {
    await db.initialize();
    const anchor = Math.floor(Date.now() / 60_000) * 60 - 120;
    let started = performance.now();
    await seed(db, anchor);
    console.log(`seeded ${N} subscriptions over ${ORGS} organizations in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    const close = new PeriodClose(db, new InvoiceIssuer(db));
    close.graceMs = 0;
    close.concurrency = Number(process.env.CONCURRENCY ?? 4);
    const now = (anchor + 61) * 1000;
    started = performance.now();
    const first = await close.closeDue(now);
    const firstS = (performance.now() - started) / 1000;
    started = performance.now();
    const second = await close.closeDue(now);
    const secondS = (performance.now() - started) / 1000;
    const [check] = (await db.query(
      `SELECT count(*)::int AS invoices, count(DISTINCT subscription_id)::int AS subscriptions,
              (SELECT count(*)::int FROM invoice_lines) AS lines,
              (SELECT bool_and(last_number = (SELECT count(*) FROM invoices i JOIN plans p ON p.id = i.plan_id WHERE p.organization_id::text = c.organization_key)) FROM invoice_counters c) AS gapless
         FROM invoices`,
    )) as { invoices: number; subscriptions: number; lines: number; gapless: boolean }[];
    console.log(`first pass (concurrency ${close.concurrency}): ${JSON.stringify(first)} in ${firstS.toFixed(1)} s = ${Math.round(first.issued / firstS)} invoices/s`);
    console.log(`second pass (nothing due): ${JSON.stringify(second)} in ${secondS.toFixed(1)} s`);
    console.log(`check: ${JSON.stringify(check)}`);
    const ok = check!.invoices === N && check!.subscriptions === N && check!.gapless && second.issued === 0;
    console.log(ok ? 'OK: one invoice per subscription, numbers gapless per organization' : 'FAILED');
    process.exitCode = ok ? 0 : 1;
  } finally {
    await db.destroy();
    await schema.drop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(2);
});
