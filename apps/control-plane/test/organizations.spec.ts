import { KONG, UUID, admin, expectKongError, expectStatus, startTestControlPlane, type TestControlPlane } from './admin-api';

describe('admin API: organizations and what they own', () => {
  let cp: TestControlPlane;

  beforeAll(async () => {
    cp = await startTestControlPlane('organizations');
  });

  afterAll(async () => {
    await cp.stop();
  });

  async function organization(name: string): Promise<string> {
    const res = await admin(cp).post('/organizations').send({ name });
    expectStatus(res, 201);
    return res.body.id;
  }

  it('Kong-style CRUD at /organizations, keyed by id or name', async () => {
    const created = await admin(cp).post('/organizations').send({ name: 'acme', tags: ['gold'] });
    expectStatus(created, 201);
    expect(created.body).toEqual({ id: expect.stringMatching(UUID), created_at: expect.any(Number), updated_at: expect.any(Number), name: 'acme', tags: ['gold'] });
    expectKongError(await admin(cp).post('/organizations').send({ name: 'acme' }), KONG.UNIQUE_VIOLATION, { name: 'acme' });
    expectKongError(await admin(cp).post('/organizations').send({}), KONG.SCHEMA_VIOLATION, { name: 'required field missing' });

    expect((await admin(cp).get('/organizations/acme')).body.id).toBe(created.body.id);
    const patched = await admin(cp).patch(`/organizations/${created.body.id}`).send({ tags: ['silver'] });
    expectStatus(patched, 200);
    expect(patched.body.tags).toEqual(['silver']);
    const listed = await admin(cp).get('/organizations');
    expect(listed.body.data.map((o: { name: string }) => o.name)).toContain('acme');

    expectStatus(await admin(cp).delete('/organizations/acme'), 204);
    expectKongError(await admin(cp).get('/organizations/acme'), KONG.NOT_FOUND);
  });

  it("an entity's organization is null (the operator's own) unless given, by id or name", async () => {
    const org = await organization('initech');
    const own = await admin(cp).post('/services').send({ name: 'own', host: 'own.internal' });
    expect(own.body.organization).toBeNull();
    const theirs = await admin(cp).post('/services').send({ name: 'tps', host: 'tps.internal', organization: { name: 'initech' } });
    expectStatus(theirs, 201);
    expect(theirs.body.organization).toEqual({ id: org });
    const up = await admin(cp).post('/upstreams').send({ name: 'tps-up', organization: { id: org } });
    expect(up.body.organization).toEqual({ id: org });
    expectKongError(
      await admin(cp).post('/services').send({ host: 'x.internal', organization: { id: '7bd5e83e-9b2f-4bd9-a94c-5c5be4f5d0a1' } }),
      KONG.FOREIGN_KEY_VIOLATION,
    );
  });

  it("a route and a plugin take their service's organization; one may not mix two organizations", async () => {
    const a = await organization('org-a');
    const b = await organization('org-b');
    const svcA = (await admin(cp).post('/services').send({ name: 'svc-a', host: 'a.internal', organization: { id: a } })).body;
    const svcB = (await admin(cp).post('/services').send({ name: 'svc-b', host: 'b.internal', organization: { id: b } })).body;

    const route = await admin(cp).post('/services/svc-a/routes').send({ name: 'route-a', paths: ['/a'] });
    expectStatus(route, 201);
    expect(route.body.organization).toEqual({ id: a });
    const plugin = await admin(cp).post('/routes/route-a/plugins').send({ name: 'cors' });
    expectStatus(plugin, 201);
    expect(plugin.body.organization).toEqual({ id: a });

    // Explicitly another organization than the service's: refused, naming the field.
    expectKongError(
      await admin(cp).post('/routes').send({ paths: ['/x'], service: { id: svcA.id }, organization: { id: b } }),
      KONG.SCHEMA_VIOLATION,
      { organization: 'must be the organization of its service' },
    );
    // A plugin on organization A's route and organization B's service.
    expectKongError(
      await admin(cp).post('/plugins').send({ name: 'cors', route: { id: route.body.id }, service: { id: svcB.id } }),
      KONG.SCHEMA_VIOLATION,
      { service: 'belongs to another organization than the route' },
    );
  });

  it('an organization that still owns entities cannot be deleted', async () => {
    const org = await organization('busy');
    await admin(cp).post('/services').send({ name: 'busy-svc', host: 'busy.internal', organization: { id: org } });
    expectKongError(await admin(cp).delete('/organizations/busy'), KONG.REFERENCED_BY_OTHERS);
    expectStatus(await admin(cp).delete('/services/busy-svc'), 204);
    expectStatus(await admin(cp).delete('/organizations/busy'), 204);
  });
});
