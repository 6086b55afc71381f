import {
  KONG,
  UUID,
  admin,
  configVersion,
  countRows,
  expectKongError,
  expectStatus,
  form,
  startTestControlPlane,
  type TestControlPlane,
} from './admin-api';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Every `$ref` in an OpenAPI document. */
function refsOf(node: Json, out: string[] = []): string[] {
  if (Array.isArray(node)) for (const item of node) refsOf(item, out);
  else if (node !== null && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') out.push(value);
      else refsOf(value, out);
    }
  }
  return out;
}

function resolve(doc: Json, ref: string): Json | undefined {
  let node: Json | undefined = doc;
  for (const part of ref.replace(/^#\//, '').split('/')) {
    node = node !== null && typeof node === 'object' && !Array.isArray(node) ? node[part] : undefined;
  }
  return node;
}

describe('admin API: node info, schemas, OpenAPI, declarative export, data planes', () => {
  let cp: TestControlPlane;

  beforeAll(async () => {
    cp = await startTestControlPlane('info-schemas-openapi');
  });

  afterAll(async () => {
    await cp.stop();
  });

  describe('/ and /status', () => {
    it('GET / describes the node and its plugins', async () => {
      const res = await admin(cp).get('/');
      expectStatus(res, 200);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.body).toMatchObject({
        tagline: 'Welcome to tollgate',
        version: expect.stringMatching(/^\d+\.\d+\.\d+/),
        node_id: expect.stringMatching(UUID),
        role: 'control_plane',
        hostname: expect.any(String),
        plugins: { available_on_server: expect.objectContaining({ 'key-auth': expect.any(Object), 'rate-limiting': expect.any(Object) }), enabled_in_cluster: [] },
        configuration: expect.objectContaining({ database: 'postgres' }),
      });
    });

    it('GET /status reports the database and the current config version, which moves with writes', async () => {
      const first = await admin(cp).get('/status');
      expectStatus(first, 200);
      expect(first.body).toMatchObject({ database: { reachable: true }, config_version: await configVersion(cp), server: { node_id: expect.stringMatching(UUID) } });
      await admin(cp).post('/consumers').send({ username: 'status-watcher' }).expect(201);
      const second = await admin(cp).get('/status');
      expect(second.body.config_version).toBe(first.body.config_version + 1);
    });

    // Kong's api_helpers.lua handle_404.
    it('an unknown path is a 404 with Kong’s body', async () => {
      const res = await admin(cp).get('/no/such/path');
      expectStatus(res, 404);
      expect(res.text).toBe('{"message":"Not found"}');
    });
  });

  describe('/schemas', () => {
    it('GET /schemas/services lists fields in Kong’s ordered single-key form', async () => {
      const res = await admin(cp).get('/schemas/services');
      expectStatus(res, 200);
      const fields = Object.assign({}, ...res.body.fields);
      expect(res.body.fields.every((f: object) => Object.keys(f).length === 1)).toBe(true);
      expect(fields).toMatchObject({
        id: { type: 'string', auto: true },
        host: { type: 'string', required: true },
        port: { type: 'integer', default: 80, between: [0, 65535] },
        retries: { type: 'integer', default: 5 },
        protocol: { type: 'string', default: 'http', one_of: expect.arrayContaining(['http', 'https', 'grpc']) },
        client_certificate: { type: 'foreign', reference: 'certificates' },
      });
      expect(res.body.entity_checks).toEqual([]);
    });

    it('GET /schemas/{entity} knows entities by table name and by admin path, with their entity checks', async () => {
      const routes = await admin(cp).get('/schemas/routes');
      expect(routes.body.entity_checks).toEqual([{ at_least_one_of: ['methods', 'hosts', 'headers', 'paths', 'snis'] }]);
      const byPath = await admin(cp).get('/schemas/key-auths');
      const byName = await admin(cp).get('/schemas/keyauth_credentials');
      expectStatus(byPath, 200);
      expect(byPath.body).toEqual(byName.body);
      expectKongError(await admin(cp).get('/schemas/unicorns'), KONG.NOT_FOUND, { entity: 'unicorns' });
    });

    it('GET /schemas/plugins/key-auth describes the plugin’s config', async () => {
      const res = await admin(cp).get('/schemas/plugins/key-auth');
      expectStatus(res, 200);
      expect(res.body).toMatchObject({ name: 'key-auth', priority: 1250, phases: ['access'] });
      const top = Object.assign({}, ...res.body.fields);
      expect(top.protocols).toMatchObject({ type: 'set', default: ['grpc', 'grpcs', 'http', 'https'] });
      const config = Object.assign({}, ...top.config.fields);
      expect(config.key_names).toMatchObject({ type: 'array', default: ['apikey'], required: true });
      expect(config.hide_credentials).toMatchObject({ type: 'boolean', default: false });
      expectKongError(await admin(cp).get('/schemas/plugins/unicorn'), KONG.NOT_FOUND, { name: 'unicorn' });
    });

    it('POST /schemas/routes/validate answers 200 for a valid route and writes nothing', async () => {
      const before = await configVersion(cp);
      const res = await admin(cp).post('/schemas/routes/validate').send({ paths: ['/x'], hosts: ['*.example.com'] });
      expectStatus(res, 200);
      expect(res.body).toEqual({ message: 'schema validation successful' });
      expect(await countRows(cp, 'routes')).toBe(0);
      expect(await configVersion(cp)).toBe(before);
    });

    it('POST /schemas/routes/validate reports what is wrong', async () => {
      expectKongError(await admin(cp).post('/schemas/routes/validate').send({ name: 'nothing' }), KONG.SCHEMA_VIOLATION, {
        '@entity': ["at least one of these fields must be non-empty: 'methods', 'hosts', 'headers', 'paths', 'snis'"],
      });
      expectKongError(await admin(cp).post('/schemas/routes/validate').type('form').send(form({ 'paths[]': '/x', regex_priority: 'high' })), KONG.SCHEMA_VIOLATION, {
        regex_priority: 'expected an integer',
      });
    });

    it('POST /schemas/services/validate accepts the url shorthand, as Kong does', async () => {
      const res = await admin(cp).post('/schemas/services/validate').type('form').send(form({ url: 'https://api.example.com/v1' }));
      expectStatus(res, 200);
      expectKongError(await admin(cp).post('/schemas/services/validate').send({ url: 'ftp://x.example.com' }), KONG.SCHEMA_VIOLATION, { url: "unsupported protocol in url: 'ftp'" });
    });

    it('POST /schemas/plugins/validate checks a plugin config, coercing forms', async () => {
      const ok = await admin(cp).post('/schemas/plugins/validate').type('form').send(form({ name: 'rate-limiting', 'config.minute': '5' }));
      expectStatus(ok, 200);
      expect(ok.body).toEqual({ message: 'schema validation successful' });
      expectKongError(await admin(cp).post('/schemas/plugins/validate').send({ name: 'rate-limiting', config: { minute: 'five' } }), KONG.SCHEMA_VIOLATION, {
        config: { minute: 'expected a number' },
      });
      expectKongError(await admin(cp).post('/schemas/plugins/validate').send({ name: 'unicorn' }), KONG.SCHEMA_VIOLATION, { name: expect.stringContaining("plugin 'unicorn' not enabled") });
      expect(await countRows(cp, 'plugins')).toBe(0);
    });
  });

  describe('/openapi.json', () => {
    it('is an OpenAPI 3.1 document whose paths cover the admin API and whose refs all resolve', async () => {
      const res = await admin(cp).get('/openapi.json');
      expectStatus(res, 200);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      const doc = res.body;
      expect(doc.openapi).toBe('3.1.0');
      expect(doc.info).toMatchObject({ title: expect.any(String), version: expect.any(String) });
      expect(Object.keys(doc.paths)).toEqual(
        expect.arrayContaining([
          '/services',
          '/services/{key}',
          '/services/{parent}/routes',
          '/routes',
          '/consumers',
          '/consumers/{parent}/key-auth',
          '/key-auths/{key}',
          '/plugins',
          '/upstreams/{parent}/targets',
          '/certificates',
          '/snis',
          '/ca_certificates',
          '/apis',
          '/status',
          '/plugins/enabled',
          '/tags/{tag}',
          '/config',
        ]),
      );
      expect(doc.paths['/services'].post.responses).toHaveProperty('201');
      expect(doc.paths['/services/{key}'].delete.responses).toHaveProperty('204');
      expect(doc.components.schemas.services.properties.host).toMatchObject({ type: 'string' });
      expect(doc.components.schemas.services.properties.port).toMatchObject({ type: 'integer', default: 80, minimum: 0, maximum: 65535 });
      const refs = refsOf(doc);
      expect(refs.length).toBeGreaterThan(10);
      for (const ref of new Set(refs)) expect({ ref, target: resolve(doc, ref) }).toEqual({ ref, target: expect.any(Object) });
    });
  });

  describe('/config', () => {
    it('GET /config exports every entity in Kong’s declarative format at the current version', async () => {
      await admin(cp).post('/services').send({ name: 'exported', host: 'exported.internal' }).expect(201);
      await admin(cp).post('/services/exported/routes').send({ name: 'exported-route', paths: ['/e'] }).expect(201);
      await admin(cp).post('/consumers/status-watcher/basic-auth').send({ username: 'sw', password: 'do-not-export' }).expect(201);
      const res = await admin(cp).get('/config');
      expectStatus(res, 200);
      expect(res.body).toMatchObject({ _format_version: '3.0', _transform: false, _config_version: await configVersion(cp) });
      for (const key of ['services', 'routes', 'consumers', 'plugins', 'upstreams', 'targets', 'certificates', 'snis', 'ca_certificates', 'keyauth_credentials', 'basicauth_credentials', 'jwt_secrets', 'acls']) {
        expect(res.body[key]).toEqual(expect.any(Array));
      }
      expect(res.body.services).toEqual([expect.objectContaining({ name: 'exported', host: 'exported.internal' })]);
      expect(res.body.routes).toEqual([expect.objectContaining({ name: 'exported-route', service: { id: res.body.services[0].id } })]);
      expect(res.body.basicauth_credentials).toEqual([expect.objectContaining({ username: 'sw' })]);
      expect(res.text).not.toContain('do-not-export');
      expect(res.text).not.toContain('scrypt$');
    });
  });

  describe('/clustering/data-planes', () => {
    it('lists connected data planes, paged', async () => {
      expect((await admin(cp).get('/clustering/data-planes')).body).toEqual({ data: [], next: null });
      const ids = ['00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002'];
      for (const [i, id] of ids.entries()) {
        await cp.schema.query(
          `INSERT INTO data_plane_nodes (id, hostname, ip, region, version, config_version, config_hash, last_seen, sync_status)
           VALUES ($1, $2, '10.0.0.9', 'eu-west', '0.1.0', $3, 'abc', to_timestamp(1700000000), 'normal')`,
          [id, `dp-${i}`, 40 + i],
        );
      }
      const first = await admin(cp).get('/clustering/data-planes?size=1');
      expectStatus(first, 200);
      expect(first.body.data).toEqual([
        expect.objectContaining({ id: ids[0], hostname: 'dp-0', region: 'eu-west', config_version: 40, config_hash: 'abc', last_seen: 1700000000, sync_status: 'normal' }),
      ]);
      const second = await admin(cp).get(first.body.next);
      expect(second.body).toEqual({ data: [expect.objectContaining({ id: ids[1], config_version: 41 })], next: null });
      expectKongError(await admin(cp).get('/clustering/data-planes?offset=bad'), KONG.INVALID_OFFSET);
    });
  });
});
