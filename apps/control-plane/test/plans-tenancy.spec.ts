import { admin, expectStatus, startTestControlPlane, type TestControlPlane } from './admin-api';
import { bearer, bootstrapSecret, issueToken } from './access-support';

describe('admin API: a provider sees and manages only its own plans and their subscriptions', () => {
  let cp: TestControlPlane;
  const boot = bootstrapSecret();
  const as = new Map<string, string>();

  beforeAll(async () => {
    cp = await startTestControlPlane('plans_tenancy', { adminBootstrapToken: boot, usageWorkerConcurrency: 0 });
    for (const name of ['acme', 'globex']) {
      const org = await admin(cp).post('/organizations').set(bearer(boot)).send({ name });
      as.set(name, (await issueToken(cp, boot, { name: `${name}-token`, role: 'provider', organization: { id: org.body.id } })).token);
    }
  });

  afterAll(async () => {
    await cp.stop();
  });

  it("another organization's plan is a 404 to read, change or delete, and absent from lists", async () => {
    const service = await admin(cp).post('/services').set(bearer(as.get('acme')!)).send({ name: 'acme-api', host: 'acme.internal' });
    expectStatus(service, 201);
    const body = { name: 'acme-basic', services: [{ id: service.body.id }], currency: 'EUR', price: 500, interval: 'month' };
    const plan = await admin(cp).post('/plans').set(bearer(as.get('acme')!)).send(body);
    expectStatus(plan, 201);
    expect(plan.body.organization).toEqual({ id: expect.any(String) });
    const globex = bearer(as.get('globex')!);
    expectStatus(await admin(cp).get(`/plans/${plan.body.id}`).set(globex), 404);
    expectStatus(await admin(cp).patch(`/plans/${plan.body.id}`).set(globex).send({ price: 1 }), 404);
    expect((await admin(cp).get('/plans').set(globex)).body.data).toEqual([]);
    await admin(cp).delete(`/plans/${plan.body.id}`).set(globex);
    expect((await admin(cp).get(`/plans/${plan.body.id}`).set(bearer(boot))).body.price).toBe(500);

    const consumer = await admin(cp).post('/consumers').set(bearer(boot)).send({ username: 'dev' });
    const sub = await admin(cp).post('/subscriptions').set(bearer(boot)).send({ consumer: { id: consumer.body.id }, plan: { id: plan.body.id } });
    expectStatus(sub, 201);
    expectStatus(await admin(cp).get(`/subscriptions/${sub.body.id}`).set(bearer(as.get('acme')!)), 200);
    expectStatus(await admin(cp).get(`/subscriptions/${sub.body.id}`).set(globex), 404);
    expectStatus(await admin(cp).post(`/subscriptions/${sub.body.id}/cancel`).set(globex).send({}), 404);
    expect((await admin(cp).get(`/subscriptions/${sub.body.id}`).set(bearer(boot))).body.status).toBe('active');

    // The provider whose plan it is subscribes a consumer; another provider cannot use that plan.
    const other = await admin(cp).post('/consumers').set(bearer(boot)).send({ username: 'dev2' });
    const own = await admin(cp).post('/subscriptions').set(bearer(as.get('acme')!)).send({ consumer: { name: 'dev2' }, plan: { id: plan.body.id } });
    expectStatus(own, 201);
    expect(own.body.consumer).toEqual({ id: other.body.id });
    expectStatus(await admin(cp).post('/subscriptions').set(globex).send({ consumer: { id: other.body.id }, plan: { id: plan.body.id } }), 400);
    expect((await admin(cp).get('/subscriptions').set(globex)).body.data).toEqual([]);
  });

  it("a plan may cover only its own organization's services: one provider cannot close another's API", async () => {
    const theirs = await admin(cp).post('/services').set(bearer(as.get('acme')!)).send({ name: 'acme-private', host: 'p.internal' });
    const res = await admin(cp).post('/plans').set(bearer(as.get('globex')!)).send({ name: 'grab', services: [{ id: theirs.body.id }], currency: 'USD', price: 0, interval: 'day' });
    expectStatus(res, 400);
    expect(res.body.fields).toEqual({ services: `element 1: service ${theirs.body.id} belongs to another organization than the plan's` });
    const missing = crypto.randomUUID();
    const none = await admin(cp).post('/plans').set(bearer(boot)).send({ name: 'ghost', services: [{ id: missing }], currency: 'USD', price: 0, interval: 'day' });
    expect(none.body.fields).toEqual({ services: `element 1: service ${missing} does not exist` });
    expect((await admin(cp).get('/plans').set(bearer(boot))).body.data.map((p: { name: string }) => p.name)).toEqual(['acme-basic']);
  });
});
