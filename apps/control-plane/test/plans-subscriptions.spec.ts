import { KONG, UUID, admin, expectKongError, expectStatus, startTestControlPlane, type TestControlPlane } from './admin-api';

describe('admin API: plans and subscriptions', () => {
  let cp: TestControlPlane;
  let serviceId: string;
  let consumerId: string;

  beforeAll(async () => {
    cp = await startTestControlPlane('plans_subscriptions');
    serviceId = (await admin(cp).post('/services').send({ name: 'weather', host: 'weather.internal' })).body.id;
    consumerId = (await admin(cp).post('/consumers').send({ username: 'dev' })).body.id;
  });

  afterAll(async () => {
    await cp.stop();
  });

  const plan = (name: string, extra: Record<string, unknown> = {}) => ({
    name,
    services: [{ id: serviceId }],
    currency: 'USD',
    price: 1900,
    interval: 'month',
    quota: { limit: 1000 },
    ...extra,
  });

  it('Kong-style CRUD at /plans with the defaults filled in and the terms at version 1', async () => {
    const created = await admin(cp).post('/plans').send(plan('basic'));
    expectStatus(created, 201);
    expect(created.body).toMatchObject({
      id: expect.stringMatching(UUID),
      name: 'basic',
      services: [{ id: serviceId }],
      currency: 'USD',
      price: 1900,
      interval: 'month',
      interval_count: 1,
      quota: { limit: 1000, per: 'interval' },
      overage: 'block',
      rate_limit: null,
      bill_5xx: false,
      public: false,
      organization: null,
      terms_version: 1,
      terms_history: [],
    });
    expect((await admin(cp).get('/plans/basic')).body.id).toBe(created.body.id);
    expectKongError(await admin(cp).post('/plans').send(plan('basic')), KONG.UNIQUE_VIOLATION, { name: 'basic' });
    expectStatus(await admin(cp).delete('/plans/basic'), 204);
  });

  it.each([
    [{ currency: 'XYZ' }, { currency: 'expected an ISO 4217 currency code (USD, EUR, JPY, ...)' }],
    [{ price: 19.99 }, { price: 'expected an integer' }],
    [{ overage: { price_per_1000: 0.5 } }, { overage: { price_per_1000: 'expected an integer of minor units between 0 and 2147483647' } }],
    [{ overage: 'allow' }, { overage: 'expected "block" or {"price_per_1000": integer minor units}' }],
    [{ interval: 'fortnight' }, { interval: 'expected one of: minute, hour, day, week, month, year' }],
    [{ quota: { limit: 0 } }, { quota: { limit: 'value should be between 1 and 9007199254740991' } }],
    [{ services: [{ id: 'nope' }] }, { services: 'element 1: id must be a valid UUID' }],
    [{ rate_limit: {} }, { rate_limit: 'at least one of these fields must be non-empty: second, minute, hour' }],
  ])('a plan with %j is refused naming the field', async (extra, fields) => {
    expectKongError(await admin(cp).post('/plans').send(plan('bad', extra)), KONG.SCHEMA_VIOLATION, fields);
    expectKongError(await admin(cp).get('/plans/bad'), KONG.NOT_FOUND);
  });

  it('a price or quota change is a new terms version; the old one is kept for current periods', async () => {
    const created = (await admin(cp).post('/plans').send(plan('versioned'))).body;
    const renamed = await admin(cp).patch('/plans/versioned').send({ tags: ['x'], public: true });
    expect(renamed.body.terms_version).toBe(1);
    const repriced = await admin(cp).patch('/plans/versioned').send({ price: 2900, quota: { limit: 5000 } });
    expectStatus(repriced, 200);
    expect(repriced.body.terms_version).toBe(2);
    expect(repriced.body.terms_history).toEqual([
      {
        version: 1,
        effective_at: created.terms_effective_at,
        price: 1900,
        quota: { limit: 1000, per: 'interval' },
        overage: 'block',
        rate_limit: null,
        bill_5xx: false,
      },
    ]);
    const versions = await cp.schema.query<{ version: number; terms: { price: number } }>(`SELECT version, terms FROM plan_versions WHERE plan_id = $1 ORDER BY version`, [created.id]);
    expect(versions.map((v: { version: number; terms: { price: number } }) => [v.version, v.terms.price])).toEqual([
      [1, 1900],
      [2, 2900],
    ]);
  });

  it('a subscription starts a period of its plan interval; one active per consumer and plan', async () => {
    const p = (await admin(cp).post('/plans').send(plan('hourly', { interval: 'hour', interval_count: 2 }))).body;
    const sub = await admin(cp).post('/subscriptions').send({ consumer: { id: consumerId }, plan: { id: p.id } });
    expectStatus(sub, 201);
    expect(sub.body).toMatchObject({ status: 'active', canceled_at: null, cancel_at_period_end: false, consumer: { id: consumerId }, plan: { id: p.id } });
    expect(sub.body.current_period_end - sub.body.current_period_start).toBe(7200);
    expectKongError(await admin(cp).post('/subscriptions').send({ consumer: { id: consumerId }, plan: { id: p.id } }), KONG.UNIQUE_VIOLATION, {
      consumer: { id: consumerId },
      plan: { id: p.id },
    });
    expectKongError(await admin(cp).patch(`/subscriptions/${sub.body.id}`).send({ plan: { name: 'versioned' } }), KONG.SCHEMA_VIOLATION, {
      plan: 'cannot be changed: cancel this subscription and subscribe to the other plan',
    });
    // A plan with subscriptions cannot be deleted.
    expectStatus(await admin(cp).delete('/plans/hourly'), 400);
  });

  it('POST /subscriptions/{id}/cancel: at once, or at the end of the period; then a new one may start', async () => {
    const p = (await admin(cp).post('/plans').send(plan('cancelable'))).body;
    const sub = (await admin(cp).post('/subscriptions').send({ consumer: { id: consumerId }, plan: { id: p.id } })).body;
    const later = await admin(cp).post(`/subscriptions/${sub.id}/cancel`).send({ at_period_end: true });
    expectStatus(later, 200);
    expect(later.body).toMatchObject({ status: 'active', cancel_at_period_end: true, canceled_at: null });
    expectKongError(await admin(cp).post(`/subscriptions/${sub.id}/cancel`).send({ at_period_end: 'soon' }), KONG.SCHEMA_VIOLATION, {
      at_period_end: 'expected a boolean',
    });
    const now = await admin(cp).post(`/subscriptions/${sub.id}/cancel`).send({});
    expect(now.body).toMatchObject({ status: 'canceled', canceled_at: expect.any(Number) });
    expectKongError(await admin(cp).patch(`/subscriptions/${sub.id}`).send({ status: 'active' }), KONG.SCHEMA_VIOLATION, {
      status: 'a canceled subscription cannot be reactivated: create a new one',
    });
    expectStatus(await admin(cp).post('/subscriptions').send({ consumer: { id: consumerId }, plan: { id: p.id } }), 201);
    expectKongError(await admin(cp).post(`/subscriptions/${crypto.randomUUID()}/cancel`).send({}), KONG.NOT_FOUND);
  });
});
