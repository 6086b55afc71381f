import {
  KONG,
  admin,
  changesAt,
  configVersion,
  countRows,
  expectKongError,
  expectStatus,
  form,
  startTestControlPlane,
  type TestControlPlane,
} from './admin-api';

describe('admin API: plugins', () => {
  let cp: TestControlPlane;
  let serviceId: string;
  let routeId: string;
  let consumerId: string;

  beforeAll(async () => {
    cp = await startTestControlPlane('plugins');
    serviceId = (await admin(cp).post('/services').send({ name: 'orders', host: 'orders.internal' }).expect(201)).body.id;
    routeId = (await admin(cp).post('/services/orders/routes').send({ name: 'orders-route', paths: ['/orders'] }).expect(201)).body.id;
    consumerId = (await admin(cp).post('/consumers').send({ username: 'acme' }).expect(201)).body.id;
  });

  afterAll(async () => {
    await cp.stop();
  });

  it('POST /plugins creates a global plugin from a form, coercing config.minute=5 to a number and filling defaults', async () => {
    const before = await configVersion(cp);
    const res = await admin(cp).post('/plugins').type('form').send(form({ name: 'rate-limiting', 'config.minute': '5', 'config.limit_by': 'ip' }));
    expectStatus(res, 201);
    expect(res.body).toMatchObject({
      name: 'rate-limiting',
      instance_name: null,
      route: null,
      service: null,
      consumer: null,
      protocols: ['grpc', 'grpcs', 'http', 'https'],
      enabled: true,
      tags: null,
      regions: [],
      config: {
        minute: 5,
        second: null,
        hour: null,
        limit_by: 'ip',
        policy: 'local',
        fault_tolerant: true,
        hide_client_headers: false,
        error_code: 429,
        redis: expect.objectContaining({ port: 6379, host: null }),
      },
    });
    const [row] = await cp.schema.query<{ config: { minute: unknown } }>('SELECT config FROM plugins WHERE id = $1', [res.body.id]);
    expect(row!.config.minute).toBe(5);
    expect(await configVersion(cp)).toBe(before + 1);
    expect(await changesAt(cp, before + 1)).toEqual([{ entity_type: 'plugins', entity_id: res.body.id, op: 'upsert' }]);
  });

  it('a second global plugin of the same name is a 409 naming the (empty) scope', async () => {
    const res = await admin(cp).post('/plugins').send({ name: 'rate-limiting', config: { hour: 100 } });
    expectKongError(
      res,
      KONG.UNIQUE_VIOLATION,
      { name: 'rate-limiting', route: null, service: null, consumer: null },
      `UNIQUE violation detected on '{name="rate-limiting", route=null, service=null, consumer=null}'`,
    );
  });

  it('scopes plugins to a service, a route and a consumer through their nested paths', async () => {
    const onService = await admin(cp).post('/services/orders/plugins').send({ name: 'rate-limiting', config: { hour: 1000 } });
    expectStatus(onService, 201);
    expect(onService.body).toMatchObject({ service: { id: serviceId }, route: null, consumer: null });

    const onRoute = await admin(cp).post('/routes/orders-route/plugins').type('form').send(form({ name: 'key-auth', 'config.key_names[]': ['apikey', 'x-api-key'] }));
    expectStatus(onRoute, 201);
    expect(onRoute.body).toMatchObject({ route: { id: routeId }, service: null, config: { key_names: ['apikey', 'x-api-key'], hide_credentials: false } });

    const onConsumer = await admin(cp).post('/consumers/acme/plugins').send({ name: 'rate-limiting', config: { second: 2 } });
    expectStatus(onConsumer, 201);
    expect(onConsumer.body).toMatchObject({ consumer: { id: consumerId }, service: null, route: null });

    const combined = await admin(cp).post('/plugins').send({ name: 'rate-limiting', service: { id: serviceId }, consumer: { id: consumerId }, config: { day: 5 } });
    expectStatus(combined, 201);
    expect(combined.body).toMatchObject({ service: { id: serviceId }, consumer: { id: consumerId } });

    expectKongError(
      await admin(cp).post('/services/orders/plugins').send({ name: 'rate-limiting', config: { minute: 1 } }),
      KONG.UNIQUE_VIOLATION,
      { name: 'rate-limiting', route: null, service: { id: serviceId }, consumer: null },
    );
  });

  it('lists plugins globally and per scope', async () => {
    const all = await admin(cp).get('/plugins');
    expectStatus(all, 200);
    expect(all.body.data).toHaveLength(5);

    const ofService = await admin(cp).get('/services/orders/plugins');
    expect(ofService.body.data.map((p: { service: { id: string } }) => p.service.id)).toEqual([serviceId, serviceId]);
    const ofRoute = await admin(cp).get(`/routes/${routeId}/plugins`);
    expect(ofRoute.body.data.map((p: { name: string }) => p.name)).toEqual(['key-auth']);
    const ofConsumer = await admin(cp).get('/consumers/acme/plugins');
    expect(ofConsumer.body.data).toHaveLength(2);
    expectKongError(await admin(cp).get('/services/unknown/plugins'), KONG.NOT_FOUND);
  });

  it('GET a plugin under its scope, and its scope through /plugins/{p}/service|route|consumer', async () => {
    const onService = (await admin(cp).get('/services/orders/plugins')).body.data[0];
    expectStatus(await admin(cp).get(`/services/orders/plugins/${onService.id}`), 200);
    expectKongError(await admin(cp).get(`/routes/orders-route/plugins/${onService.id}`), KONG.NOT_FOUND);

    const service = await admin(cp).get(`/plugins/${onService.id}/service`);
    expectStatus(service, 200);
    expect(service.body).toMatchObject({ id: serviceId, name: 'orders' });
    expectKongError(await admin(cp).get(`/plugins/${onService.id}/route`), KONG.NOT_FOUND);

    const onRoute = (await admin(cp).get('/routes/orders-route/plugins')).body.data[0];
    expect((await admin(cp).get(`/plugins/${onRoute.id}/route`)).body).toMatchObject({ id: routeId, name: 'orders-route' });
    const onConsumer = (await admin(cp).get('/consumers/acme/plugins')).body.data[0];
    expect((await admin(cp).get(`/plugins/${onConsumer.id}/consumer`)).body).toMatchObject({ id: consumerId, username: 'acme' });
  });

  it.each([
    ['config.minute=abc from a form', form({ name: 'rate-limiting', 'config.minute': 'abc' }), { config: { minute: 'expected a number' } }],
    ['no limit at all', form({ name: 'rate-limiting', 'config.policy': 'local' }), { config: { '@entity': [expect.stringContaining("at least one of these fields must be non-empty: 'second', 'minute'")] } }],
    ['an unknown config field', form({ name: 'rate-limiting', 'config.minute': '1', 'config.burst': '3' }), { config: { burst: 'unknown field' } }],
    ['an unknown plugin', form({ name: 'does-not-exist' }), { name: "plugin 'does-not-exist' not enabled; add it to the 'plugins' configuration property" }],
    ['no name', form({ 'config.minute': '1' }), { name: 'required field missing' }],
  ])('refuses %s with a schema violation', async (_what, body, fields) => {
    const count = await countRows(cp, 'plugins');
    expectKongError(await admin(cp).post('/routes/orders-route/plugins').type('form').send(body), KONG.SCHEMA_VIOLATION, fields);
    expect(await countRows(cp, 'plugins')).toBe(count);
  });

  it('does not coerce JSON: a string where config wants a number is refused', async () => {
    expectKongError(await admin(cp).post('/routes/orders-route/plugins').send({ name: 'rate-limiting', config: { minute: '5' } }), KONG.SCHEMA_VIOLATION, {
      config: { minute: 'expected a number' },
    });
  });

  it('refuses to scope an authentication plugin to a consumer', async () => {
    expectKongError(await admin(cp).post('/consumers/acme/plugins').send({ name: 'key-auth' }), KONG.SCHEMA_VIOLATION, { consumer: 'value must be null' });
  });

  it('runs cross-field config checks (acl: only one of allow and deny)', async () => {
    expectKongError(await admin(cp).post('/routes/orders-route/plugins').send({ name: 'acl', config: { allow: ['a'], deny: ['b'] } }), KONG.SCHEMA_VIOLATION, {
      config: { '@entity': ["exactly one of these fields must be non-empty: 'allow', 'deny'"] },
    });
  });

  it('refuses a scope that does not exist with a foreign key violation', async () => {
    const missing = '5d0f8a4e-0000-4000-8000-000000000000';
    expectKongError(await admin(cp).post('/plugins').send({ name: 'cors', route: { id: missing } }), KONG.FOREIGN_KEY_VIOLATION, { route: { id: missing } });
  });

  it('PATCH merges config: config.minute=10 keeps the other settings', async () => {
    const created = await admin(cp).post('/routes/orders-route/plugins').send({ name: 'rate-limiting', config: { minute: 5, limit_by: 'ip', hour: 100 } });
    expectStatus(created, 201);
    const patched = await admin(cp).patch(`/plugins/${created.body.id}`).type('form').send(form({ 'config.minute': '10' }));
    expectStatus(patched, 200);
    expect(patched.body.config).toMatchObject({ minute: 10, hour: 100, limit_by: 'ip' });

    const disabled = await admin(cp).patch(`/routes/orders-route/plugins/${created.body.id}`).send({ enabled: false });
    expectStatus(disabled, 200);
    expect(disabled.body).toMatchObject({ enabled: false, config: { minute: 10 } });

    expectKongError(await admin(cp).patch(`/plugins/${created.body.id}`).send({ config: { minute: -1 } }), KONG.SCHEMA_VIOLATION, {
      config: { minute: 'value must be greater than 0' },
    });
  });

  it('PUT /plugins/{id} creates, then replaces config with defaults', async () => {
    const id = '9e4c0a6e-1c2d-4e3f-8a9b-0c1d2e3f4a5b';
    const created = await admin(cp).put(`/plugins/${id}`).send({ name: 'cors', config: { origins: ['https://a.example'], max_age: 60 } });
    expectStatus(created, 200);
    expect(created.body).toMatchObject({ id, name: 'cors', config: { origins: ['https://a.example'], max_age: 60 } });
    const replaced = await admin(cp).put(`/plugins/${id}`).send({ name: 'cors' });
    expectStatus(replaced, 200);
    expect(replaced.body).toMatchObject({ id, config: { origins: null, max_age: null } });
    // A key that is no UUID is an instance_name (Kong's endpoint key for plugins), not an invalid id.
    expectKongError(await admin(cp).get('/plugins/not-a-uuid'), KONG.NOT_FOUND);
  });

  it('instance_name is unique', async () => {
    await admin(cp).post('/plugins').send({ name: 'correlation-id', instance_name: 'corr-1' }).expect(201);
    expectKongError(await admin(cp).post('/routes/orders-route/plugins').send({ name: 'correlation-id', instance_name: 'corr-1' }), KONG.UNIQUE_VIOLATION, { instance_name: 'corr-1' });
  });

  it('GET /plugins/enabled lists the bundled plugins; / lists the ones in use', async () => {
    const enabled = await admin(cp).get('/plugins/enabled');
    expectStatus(enabled, 200);
    expect(enabled.body.enabled_plugins).toEqual(expect.arrayContaining(['key-auth', 'basic-auth', 'jwt', 'acl', 'rate-limiting', 'cors']));
    expect(enabled.body.enabled_plugins).toEqual([...enabled.body.enabled_plugins].sort());

    const root = await admin(cp).get('/');
    expect(root.body.plugins.enabled_in_cluster).toEqual(['correlation-id', 'cors', 'key-auth', 'rate-limiting']);
  });

  it('DELETE /plugins/{id} removes one plugin', async () => {
    const created = await admin(cp).post('/plugins').send({ name: 'response-transformer' }).expect(201);
    const before = await configVersion(cp);
    await admin(cp).delete(`/plugins/${created.body.id}`).expect(204);
    expect(await countRows(cp, 'plugins', 'id = $1', [created.body.id])).toBe(0);
    expect(await changesAt(cp, before + 1)).toEqual([{ entity_type: 'plugins', entity_id: created.body.id, op: 'delete' }]);
  });

  it('deleting a route deletes its plugins; deleting a service deletes its plugins', async () => {
    const svc = await admin(cp).post('/services').send({ name: 'short-lived', host: 'short.internal' }).expect(201);
    const route = await admin(cp).post('/services/short-lived/routes').send({ paths: ['/short'] }).expect(201);
    const routePlugin = await admin(cp).post(`/routes/${route.body.id}/plugins`).send({ name: 'cors' }).expect(201);
    const svcPlugin = await admin(cp).post('/services/short-lived/plugins').send({ name: 'cors' }).expect(201);

    await admin(cp).delete(`/routes/${route.body.id}`).expect(204);
    expect(await countRows(cp, 'plugins', 'id = $1', [routePlugin.body.id])).toBe(0);
    expect(await countRows(cp, 'plugins', 'id = $1', [svcPlugin.body.id])).toBe(1);

    const before = await configVersion(cp);
    await admin(cp).delete('/services/short-lived').expect(204);
    expect(await countRows(cp, 'plugins', 'id = $1', [svcPlugin.body.id])).toBe(0);
    expect(await changesAt(cp, before + 1)).toEqual([
      { entity_type: 'plugins', entity_id: svcPlugin.body.id, op: 'delete' },
      { entity_type: 'services', entity_id: svc.body.id, op: 'delete' },
    ]);
  });
});
