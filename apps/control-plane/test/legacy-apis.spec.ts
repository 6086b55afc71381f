import {
  KONG,
  UUID,
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

/** Kong 0.x `/apis`: the requests of the old getting-started guide must keep working verbatim. */
describe('admin API: legacy Kong 0.x /apis', () => {
  let cp: TestControlPlane;

  beforeAll(async () => {
    cp = await startTestControlPlane('legacy-apis');
  });

  afterAll(async () => {
    await cp.stop();
  });

  describe('the Kong 0.x getting-started requests, exactly as written', () => {
    let apiId: string;
    let pluginId: string;

    it('POST /apis/ name=mockbin upstream_url=http://mockbin.com/ request_host=mockbin.com', async () => {
      const before = await configVersion(cp);
      const res = await admin(cp).post('/apis/').type('form').send('name=mockbin&upstream_url=http://mockbin.com/&request_host=mockbin.com');
      expectStatus(res, 201);
      apiId = res.body.id;
      expect(res.body).toEqual({
        id: expect.stringMatching(UUID),
        name: 'mockbin',
        upstream_url: 'http://mockbin.com/',
        request_host: 'mockbin.com',
        preserve_host: false,
        strip_request_path: false,
        created_at: expect.any(Number),
      });
      // Kong 0.x timestamps were milliseconds.
      expect(Math.abs(res.body.created_at - Date.now())).toBeLessThan(60_000);
      expect(await configVersion(cp)).toBe(before + 1);
      expect((await changesAt(cp, before + 1)).map((c) => c.entity_type)).toEqual(['routes', 'services']);
    });

    it('POST /apis/mockbin/plugins/ name=key-auth', async () => {
      const res = await admin(cp).post('/apis/mockbin/plugins/').type('form').send('name=key-auth');
      expectStatus(res, 201);
      pluginId = res.body.id;
      expect(res.body).toMatchObject({ name: 'key-auth', enabled: true, config: { key_names: ['apikey'], hide_credentials: false } });
    });

    it('POST /consumers/ username=Jason', async () => {
      const res = await admin(cp).post('/consumers/').type('form').send('username=Jason');
      expectStatus(res, 201);
      expect(res.body).toMatchObject({ username: 'Jason', custom_id: null });
      expectStatus(await admin(cp).get('/consumers/Jason'), 200);
    });

    it('the api is a service and a route that a 3.x client can read', async () => {
      const service = await admin(cp).get('/services/mockbin');
      expectStatus(service, 200);
      expect(service.body).toMatchObject({ protocol: 'http', host: 'mockbin.com', port: 80, path: '/' });

      const route = await admin(cp).get('/routes/mockbin');
      expectStatus(route, 200);
      expect(route.body).toMatchObject({ hosts: ['mockbin.com'], paths: null, strip_path: false, preserve_host: false, service: { id: service.body.id } });

      const plugin = await admin(cp).get(`/plugins/${pluginId}`);
      expect(plugin.body).toMatchObject({ service: { id: service.body.id }, route: null, consumer: null });
      const [row] = await cp.schema.query('SELECT name, service_id::text, route_id::text FROM apis WHERE id = $1', [apiId]);
      expect(row).toEqual({ name: 'mockbin', service_id: service.body.id, route_id: route.body.id });
    });

    it('GET /apis/, /apis/{name}, /apis/{id} and /apis/{name}/plugins', async () => {
      const list = await admin(cp).get('/apis/');
      expectStatus(list, 200);
      expect(list.body).toEqual({ data: [expect.objectContaining({ id: apiId, name: 'mockbin' })], next: null });
      expect((await admin(cp).get('/apis/mockbin')).body).toMatchObject({ id: apiId, request_host: 'mockbin.com' });
      expect((await admin(cp).get(`/apis/${apiId}`)).body).toMatchObject({ name: 'mockbin' });
      const plugins = await admin(cp).get('/apis/mockbin/plugins');
      expectStatus(plugins, 200);
      expect(plugins.body.data.map((p: { id: string }) => p.id)).toEqual([pluginId]);
      expectKongError(await admin(cp).get('/apis/nope'), KONG.NOT_FOUND, { name: 'nope' });
      expectKongError(await admin(cp).post('/apis/nope/plugins').type('form').send('name=key-auth'), KONG.NOT_FOUND);
    });

    it('refuses the same api twice', async () => {
      const before = await configVersion(cp);
      const res = await admin(cp).post('/apis/').type('form').send('name=mockbin&upstream_url=http://mockbin.com/&request_host=mockbin.com');
      expectKongError(res, KONG.UNIQUE_VIOLATION, { name: 'mockbin' });
      expect(await configVersion(cp)).toBe(before);
      expect(await countRows(cp, 'apis')).toBe(1);
    });

    it('DELETE /apis/mockbin removes the api, its service, route and plugins in one version', async () => {
      const before = await configVersion(cp);
      await admin(cp).delete('/apis/mockbin').expect(204);
      expect(await configVersion(cp)).toBe(before + 1);
      expect((await changesAt(cp, before + 1)).map((c) => `${c.entity_type}:${c.op}`)).toEqual(['plugins:delete', 'routes:delete', 'services:delete']);
      await admin(cp).get('/apis/mockbin').expect(404);
      await admin(cp).get('/services/mockbin').expect(404);
      await admin(cp).get('/routes/mockbin').expect(404);
      expect(await countRows(cp, 'plugins', 'id = $1', [pluginId])).toBe(0);
      await admin(cp).delete('/apis/mockbin').expect(204);
    });
  });

  it('maps request_path and strip_request_path onto the route', async () => {
    const res = await admin(cp).post('/apis').type('form').send(form({ name: 'paths', upstream_url: 'https://paths.internal:8443/base', request_path: '/paths', strip_request_path: 'true' }));
    expectStatus(res, 201);
    expect(res.body).toMatchObject({ request_path: '/paths', strip_request_path: true });
    expect((await admin(cp).get('/services/paths')).body).toMatchObject({ protocol: 'https', host: 'paths.internal', port: 8443, path: '/base' });
    expect((await admin(cp).get('/routes/paths')).body).toMatchObject({ paths: ['/paths'], hosts: null, strip_path: true });
  });

  it('understands the 0.10 fields: comma-separated hosts, uris and methods, strip_uri', async () => {
    const res = await admin(cp).post('/apis').type('form').send(form({ name: 'ten', upstream_url: 'http://ten.internal', hosts: 'a.example.com,b.example.com', uris: '/ten', methods: 'GET,POST', strip_uri: 'false' }));
    expectStatus(res, 201);
    expect((await admin(cp).get('/routes/ten')).body).toMatchObject({ hosts: ['a.example.com', 'b.example.com'], paths: ['/ten'], methods: ['GET', 'POST'], strip_path: false });

    const json = await admin(cp).post('/apis').send({ name: 'ten-json', upstream_url: 'http://ten.internal', uris: ['/ten-json'], https_only: true });
    expectStatus(json, 201);
    expect((await admin(cp).get('/routes/ten-json')).body).toMatchObject({ paths: ['/ten-json'], protocols: ['https'], strip_path: true });
  });

  it.each([
    ['no upstream_url', 'name=a&request_host=a.com', { upstream_url: 'required field missing' }],
    ['no name', 'upstream_url=http://a.com&request_host=a.com', { name: 'required field missing' }],
    ['nothing to route on', 'name=a&upstream_url=http://a.com', { '@entity': [expect.stringContaining("at least one of these fields must be non-empty: 'request_host', 'request_path'")] }],
    ['an unknown field', 'name=a&upstream_url=http://a.com&request_host=a.com&public_dns=a.com', { public_dns: 'unknown field' }],
  ])('refuses an api with %s', async (_what, body, fields) => {
    expectKongError(await admin(cp).post('/apis/').type('form').send(body), KONG.SCHEMA_VIOLATION, fields);
  });

  it('refuses an invalid upstream_url and leaves no service or route behind', async () => {
    const services = await countRows(cp, 'services');
    const res = await admin(cp).post('/apis/').type('form').send('name=broken&upstream_url=not-a-url&request_host=broken.com');
    expectKongError(res, KONG.SCHEMA_VIOLATION);
    expect(await countRows(cp, 'services')).toBe(services);
    expect(await countRows(cp, 'apis', 'name = $1', ['broken'])).toBe(0);
  });

  it('pages /apis with size and next', async () => {
    const first = await admin(cp).get('/apis?size=2');
    expectStatus(first, 200);
    expect(first.body.data).toHaveLength(2);
    expect(first.body.next).toMatch(/^\/apis\?offset=.+&size=2$/);
    const second = await admin(cp).get(first.body.next);
    expect(second.body.data).toHaveLength(1);
    expect(second.body.next).toBeNull();
    expectKongError(await admin(cp).get('/apis?size=0'), KONG.INVALID_SIZE);
  });
});
