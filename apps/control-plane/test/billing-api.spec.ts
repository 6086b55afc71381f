import { PeriodClose } from '../src/billing/period-close';
import { bearer, bootstrapSecret, issueToken } from './access-support';
import { admin, expectStatus, KONG, expectKongError, startTestControlPlane, type TestControlPlane } from './admin-api';

const ROUTE = '00000000-0000-4000-8000-000000000005';

interface Seller {
  token: string;
  organization: string;
  service: string;
  plan: string;
  subscription: string;
  consumer: string;
  periodStart: number;
}

describe('billing API: invoices, a subscription usage, revenue; a provider sees only its own', () => {
  let cp: TestControlPlane;
  const boot = bootstrapSecret();
  let reader: string;
  const sellers = new Map<string, Seller>();
  let closer: PeriodClose;

  const calls = (s: Seller, at: number, requests: number, status = 200) =>
    cp.schema.query(
      `INSERT INTO usage_minute (bucket, service_id, route_id, consumer_id, status, region, node_id, requests, bytes_in, bytes_out, gateway_latency, upstream_latency)
       VALUES (date_trunc('minute', to_timestamp($1)), $2, $3, $4, $5, 'eu', 'dp-1', $6, 0, 0, '\\x', '\\x')
       ON CONFLICT (bucket, service_id, route_id, consumer_id, status, region, node_id) DO UPDATE SET requests = usage_minute.requests + EXCLUDED.requests`,
      [at, s.service, ROUTE, s.consumer, status, requests],
    );

  beforeAll(async () => {
    process.env.TOLLGATE_BILLING_CLOSE_INTERVAL = '0';
    cp = await startTestControlPlane('billing_api', { adminBootstrapToken: boot, usageWorkerConcurrency: 0 });
    closer = cp.app.get(PeriodClose);
    closer.graceMs = 0;
    reader = (await issueToken(cp, boot, { name: 'books', role: 'billing-reader' })).token;
    for (const [name, price] of [['acme', 500], ['globex', 700]] as const) {
      const org = await admin(cp).post('/organizations').set(bearer(boot)).send({ name });
      const token = (await issueToken(cp, boot, { name: `${name}-token`, role: 'provider', organization: { id: org.body.id } })).token;
      const service = await admin(cp).post('/services').set(bearer(token)).send({ name: `${name}-api`, host: `${name}.internal` });
      const plan = await admin(cp)
        .post('/plans')
        .set(bearer(token))
        .send({ name: `${name}-pro`, services: [{ id: service.body.id }], currency: 'EUR', price, interval: 'minute', quota: { limit: 10 }, overage: { price_per_1000: 1500 } });
      expectStatus(plan, 201);
      const consumer = await admin(cp).post('/consumers').set(bearer(boot)).send({ username: `${name}-customer` });
      const sub = await admin(cp).post('/subscriptions').set(bearer(boot)).send({ consumer: { id: consumer.body.id }, plan: { id: plan.body.id } });
      expectStatus(sub, 201);
      sellers.set(name, {
        token,
        organization: org.body.id,
        service: service.body.id,
        plan: plan.body.id,
        subscription: sub.body.id,
        consumer: consumer.body.id,
        periodStart: sub.body.current_period_start,
      });
    }
    const acme = sellers.get('acme')!;
    await calls(acme, acme.periodStart, 13);
    await calls(acme, acme.periodStart, 4, 503);
    await calls(sellers.get('globex')!, sellers.get('globex')!.periodStart, 3);
  });

  afterAll(async () => {
    delete process.env.TOLLGATE_BILLING_CLOSE_INTERVAL;
    await cp.stop();
  });

  it("shows a subscription's current period: requests, billable, quota remaining and projected charges", async () => {
    const acme = sellers.get('acme')!;
    const res = await admin(cp).get(`/subscriptions/${acme.subscription}/usage`).set(bearer(acme.token));
    expectStatus(res, 200);
    // 13 billable of 17 (the 503s given back), 3 over the quota at 15.00 per 1,000 = 4.5 → 5.
    expect(res.body).toEqual({
      subscription: { id: acme.subscription },
      period_start: acme.periodStart,
      period_end: acme.periodStart + 60,
      requests: 17,
      billable: 13,
      quota: { limit: 10, remaining: 0 },
      currency: 'EUR',
      projected_total: 505,
    });
    expectStatus(await admin(cp).get(`/subscriptions/${acme.subscription}/usage`).set(bearer(sellers.get('globex')!.token)), 404);
    expectStatus(await admin(cp).get(`/subscriptions/${acme.subscription}/usage`).set(bearer(reader)), 200);
  });

  it('lists, pages and downloads invoices; a provider sees only its own, billing-reader all', async () => {
    const after = (Math.max(...[...sellers.values()].map((s) => s.periodStart)) + 61) * 1000;
    expect(await closer.closeDue(after)).toMatchObject({ issued: 2 });
    const acme = await admin(cp).get('/invoices').set(bearer(sellers.get('acme')!.token));
    expectStatus(acme, 200);
    expect(acme.body.data.map((i: { number: string }) => i.number)).toEqual(['ACME-000001']);
    const one = await admin(cp).get(`/invoices/${acme.body.data[0].id}`).set(bearer(sellers.get('acme')!.token));
    expect(one.body).toMatchObject({ number: 'ACME-000001', currency: 'EUR', total: 505, status: 'issued', organization: { id: sellers.get('acme')!.organization } });
    expect(one.body.lines).toEqual([
      { kind: 'base', description: expect.any(String), quantity: 1, unit_price: 500, amount: 500 },
      { kind: 'overage', description: expect.any(String), quantity: 3, unit_price: 1500, amount: 5 },
    ]);
    expectKongError(await admin(cp).get(`/invoices/${acme.body.data[0].id}`).set(bearer(sellers.get('globex')!.token)), KONG.NOT_FOUND, { id: acme.body.data[0].id });

    const all = await admin(cp).get('/invoices?size=1').set(bearer(reader));
    expect(all.body.data).toHaveLength(1);
    const rest = await admin(cp).get(all.body.next).set(bearer(reader));
    expect([...all.body.data, ...rest.body.data].map((i: { number: string }) => i.number).sort()).toEqual(['ACME-000001', 'GLOBEX-000001']);
    expect(rest.body.next).toBeNull();
    const filtered = await admin(cp).get(`/invoices?organization=${sellers.get('globex')!.organization}&status=issued`).set(bearer(reader));
    expect(filtered.body.data.map((i: { total: number }) => i.total)).toEqual([700]);

    const csv = await admin(cp).get('/invoices?format=csv').set(bearer(sellers.get('acme')!.token));
    expectStatus(csv, 200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const rows = csv.text.trim().split('\r\n');
    expect(rows[0]).toMatch(/^number,id,kind,status,/);
    expect(rows).toHaveLength(2);
    expect(rows[1]).toMatch(/^ACME-000001,.*,EUR,.*,13,505,/);
  });

  it('refuses bad parameters with a 400 naming them', async () => {
    const t = bearer(reader);
    expectKongError(await admin(cp).get('/invoices?status=open').set(t), KONG.SCHEMA_VIOLATION, { status: 'expected one of: issued, paid, void' });
    expectKongError(await admin(cp).get('/invoices?size=0').set(t), KONG.SCHEMA_VIOLATION, { size: 'expected an integer from 1 to 1000' });
    expectKongError(await admin(cp).get('/invoices?consumer=bob').set(t), KONG.SCHEMA_VIOLATION, { consumer: 'expected a UUID' });
    expectKongError(await admin(cp).get('/invoices?colour=red').set(t), KONG.SCHEMA_VIOLATION, { colour: 'unknown parameter' });
    expectKongError(await admin(cp).get('/invoices?period_from=yesterday').set(t), KONG.SCHEMA_VIOLATION, { period_from: expect.stringMatching(/ISO 8601/) });
    expectKongError(await admin(cp).get('/invoices?offset=nope').set(t), KONG.INVALID_OFFSET);
    const org = sellers.get('acme')!.organization;
    expectKongError(await admin(cp).get(`/organizations/${org}/revenue?granularity=week`).set(t), KONG.SCHEMA_VIOLATION, { granularity: 'expected one of: day, month' });
    expectKongError(await admin(cp).get(`/organizations/${org}/revenue?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z`).set(t), KONG.SCHEMA_VIOLATION, { to: "must be later than 'from'" });
  });

  it('pays or voids an issued invoice once; a voided one is replaced at the next close, never edited', async () => {
    const acme = bearer(sellers.get('acme')!.token);
    const globex = bearer(sellers.get('globex')!.token);
    const [invoice] = (await admin(cp).get('/invoices').set(globex)).body.data;
    expectStatus(await admin(cp).post(`/invoices/${invoice.id}/pay`).set(acme), 404);
    expectStatus(await admin(cp).post(`/invoices/${invoice.id}/pay`).set(bearer(reader)), 403);
    const paid = await admin(cp).post(`/invoices/${invoice.id}/pay`).set(globex);
    expectStatus(paid, 200);
    expect(paid.body).toMatchObject({ status: 'paid', paid_at: expect.any(Number) });
    const again = await admin(cp).post(`/invoices/${invoice.id}/void`).set(globex);
    expectStatus(again, 409);
    expect(again.body).toMatchObject({ code: 104, name: 'invoice status conflict', fields: { status: 'paid' } });

    const [mine] = (await admin(cp).get('/invoices').set(acme)).body.data;
    expectStatus(await admin(cp).post(`/invoices/${mine.id}/void`).set(acme), 200);
    await calls(sellers.get('acme')!, sellers.get('acme')!.periodStart, 1000); // counted since: the replacement bills it
    await closer.closeDue((Math.max(...[...sellers.values()].map((s) => s.periodStart)) + 62) * 1000);
    const list = (await admin(cp).get(`/invoices?subscription=${sellers.get('acme')!.subscription}`).set(acme)).body.data;
    const replacement = list.find((i: { status: string; period_start: number }) => i.status === 'issued' && i.period_start === sellers.get('acme')!.periodStart);
    expect(replacement).toMatchObject({ number: 'ACME-000002', replaces: { id: mine.id }, total: 2005 });
    // 1,003 over the quota at 15.00 per 1,000 = 15.045 → 15.05: 2005 cents with the base.
    expect((await admin(cp).get(`/invoices/${mine.id}`).set(acme)).body).toMatchObject({ status: 'void', total: 505 });
  });

  it("sums an organization's revenue per month, voided invoices left out", async () => {
    const res = await admin(cp).get(`/organizations/${sellers.get('acme')!.organization}/revenue?granularity=month&to=${Math.floor(Date.now() / 1000) + 86_400}`).set(bearer(reader));
    // The closes above ran as of a minute ahead: `to` reaches past them.
    expectStatus(res, 200);
    expect(res.body.data).toEqual([{ bucket: expect.stringMatching(/-01T00:00:00Z$/), currency: 'EUR', total: 2005, invoices: 1 }]);
    expectStatus(await admin(cp).get(`/organizations/${sellers.get('acme')!.organization}/revenue`).set(bearer(sellers.get('globex')!.token)), 404);
  });
});
