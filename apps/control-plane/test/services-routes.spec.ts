import {
  KONG,
  UUID,
  admin,
  auditFor,
  changesAt,
  configVersion,
  countRows,
  expectKongError,
  expectStatus,
  form,
  startTestControlPlane,
  type TestControlPlane,
} from './admin-api';

describe('admin API: services and routes', () => {
  let cp: TestControlPlane;

  beforeAll(async () => {
    cp = await startTestControlPlane('services-routes');
  });

  afterAll(async () => {
    await cp.stop();
  });

  describe('services', () => {
    it('POST creates a service with Kong defaults, one config version and one audit row', async () => {
      const before = await configVersion(cp);
      const res = await admin(cp).post('/services').send({ name: 'billing', host: 'billing.internal' });
      expectStatus(res, 201);
      expect(res.body).toEqual({
        id: expect.stringMatching(UUID),
        created_at: expect.any(Number),
        updated_at: expect.any(Number),
        name: 'billing',
        retries: 5,
        protocol: 'http',
        host: 'billing.internal',
        port: 80,
        path: null,
        connect_timeout: 60000,
        write_timeout: 60000,
        read_timeout: 60000,
        client_certificate: null,
        tls_verify: null,
        tls_verify_depth: null,
        ca_certificates: null,
        enabled: true,
        tags: null,
        regions: [],
        // Tollgate's: the operator's own, not a marketplace provider's.
        organization: null,
      });
      expect(Math.abs(res.body.created_at - Date.now() / 1000)).toBeLessThan(60);

      const rows = await cp.schema.query('SELECT name, host, port FROM services WHERE id = $1', [res.body.id]);
      expect(rows).toEqual([{ name: 'billing', host: 'billing.internal', port: 80 }]);
      expect(await configVersion(cp)).toBe(before + 1);
      expect(await changesAt(cp, before + 1)).toEqual([{ entity_type: 'services', entity_id: res.body.id, op: 'upsert' }]);
      const audit = await auditFor(cp, res.body.id);
      expect(audit).toEqual([
        {
          action: 'create',
          entity_type: 'services',
          entity_id: res.body.id,
          config_version: String(before + 1),
          before: null,
          after: expect.objectContaining({ name: 'billing', host: 'billing.internal' }),
        },
      ]);
    });

    it('expands the url shorthand into protocol, host, port and path', async () => {
      const res = await admin(cp).post('/services').type('form').send(form({ name: 'url-svc', url: 'https://api.example.com:8443/v1/orders' }));
      expectStatus(res, 201);
      expect(res.body).toMatchObject({ protocol: 'https', host: 'api.example.com', port: 8443, path: '/v1/orders' });
      expect(res.body).not.toHaveProperty('url');

      const bare = await admin(cp).post('/services').send({ name: 'url-bare', url: 'https://secure.example.com' });
      expectStatus(bare, 201);
      expect(bare.body).toMatchObject({ protocol: 'https', host: 'secure.example.com', port: 443, path: null });
    });

    it('coerces form strings by the schema (port, retries, enabled)', async () => {
      const res = await admin(cp).post('/services').type('form').send(form({ name: 'form-svc', host: 'form.example.com', port: '8080', retries: '0', enabled: 'false' }));
      expectStatus(res, 201);
      expect(res.body).toMatchObject({ port: 8080, retries: 0, enabled: false });
    });

    it.each([
      ['an invalid host', { host: 'not a host' }, { host: 'invalid hostname: not a host' }],
      ['a port out of range', { host: 'ok.example.com', port: 70000 }, { port: 'value should be between 0 and 65535' }],
      ['a port that is not a number', { host: 'ok.example.com', port: 'eighty' }, { port: 'expected an integer' }],
      ['an unsupported url scheme', { url: 'ftp://files.example.com' }, { url: "unsupported protocol in url: 'ftp'" }],
      ['an unparseable url', { url: 'not a url' }, { url: "invalid url: 'not a url'" }],
      ['an unknown protocol', { host: 'ok.example.com', protocol: 'gopher' }, { protocol: expect.stringContaining('expected one of') }],
      ['an unknown field', { host: 'ok.example.com', colour: 'blue' }, { colour: 'unknown field' }],
      ['no host', { name: 'hostless' }, { host: 'required field missing' }],
    ])('refuses %s with a schema violation and writes nothing', async (_what, body, fields) => {
      const before = await configVersion(cp);
      const count = await countRows(cp, 'services');
      const res = await admin(cp).post('/services').send(body);
      expectKongError(res, KONG.SCHEMA_VIOLATION, fields, /^schema violation \(/);
      expect(await configVersion(cp)).toBe(before);
      expect(await countRows(cp, 'services')).toBe(count);
    });

    it('refuses a duplicate name with 409 and Kong’s unique violation message', async () => {
      await admin(cp).post('/services').send({ name: 'dup-svc', host: 'a.example.com' }).expect(201);
      const before = await configVersion(cp);
      const res = await admin(cp).post('/services').send({ name: 'dup-svc', host: 'b.example.com' });
      expectKongError(res, KONG.UNIQUE_VIOLATION, { name: 'dup-svc' }, `UNIQUE violation detected on '{name="dup-svc"}'`);
      expect(await configVersion(cp)).toBe(before);
      expect(await countRows(cp, 'services', 'name = $1', ['dup-svc'])).toBe(1);
    });

    it('GET finds a service by id and by name, and 404s in Kong’s shape otherwise', async () => {
      const created = await admin(cp).post('/services').send({ name: 'lookup', host: 'lookup.example.com' }).expect(201);
      const byId = await admin(cp).get(`/services/${created.body.id}`);
      expectStatus(byId, 200);
      expect(byId.body).toEqual(created.body);
      const byName = await admin(cp).get('/services/lookup');
      expect(byName.body).toEqual(created.body);

      expectKongError(await admin(cp).get('/services/no-such-service'), KONG.NOT_FOUND, { name: 'no-such-service' });
      const missingId = '6f1f8a4e-0000-4000-8000-000000000000';
      expectKongError(await admin(cp).get(`/services/${missingId}`), KONG.NOT_FOUND, { id: missingId });
    });

    it('GET /services lists them in a page', async () => {
      const res = await admin(cp).get('/services');
      expectStatus(res, 200);
      expect(res.body.next).toBeNull();
      expect(res.body.data.map((s: { name: string }) => s.name)).toEqual(expect.arrayContaining(['billing', 'url-svc', 'lookup']));
    });

    it('PATCH updates only the fields sent, bumps the version and audits before and after', async () => {
      const created = await admin(cp).post('/services').send({ name: 'patch-me', host: 'old.example.com', retries: 2, tags: ['a'] }).expect(201);
      const before = await configVersion(cp);
      const res = await admin(cp).patch('/services/patch-me').send({ host: 'new.example.com' });
      expectStatus(res, 200);
      expect(res.body).toMatchObject({ id: created.body.id, name: 'patch-me', host: 'new.example.com', retries: 2, tags: ['a'], created_at: created.body.created_at });
      expect(res.body.updated_at).toBeGreaterThanOrEqual(created.body.updated_at);
      expect(await configVersion(cp)).toBe(before + 1);
      expect(await changesAt(cp, before + 1)).toEqual([{ entity_type: 'services', entity_id: created.body.id, op: 'upsert' }]);
      const audit = await auditFor(cp, created.body.id);
      expect(audit[1]).toMatchObject({
        action: 'update',
        before: expect.objectContaining({ host: 'old.example.com' }),
        after: expect.objectContaining({ host: 'new.example.com' }),
      });
    });

    it('PATCH accepts the url shorthand and form bodies', async () => {
      await admin(cp).post('/services').send({ name: 'patch-url', host: 'old.example.com', path: '/old' }).expect(201);
      const res = await admin(cp).patch('/services/patch-url').type('form').send(form({ url: 'https://moved.example.com:9443/new' }));
      expectStatus(res, 200);
      expect(res.body).toMatchObject({ protocol: 'https', host: 'moved.example.com', port: 9443, path: '/new' });
    });

    it('PATCH refuses invalid values and unknown services without writing', async () => {
      await admin(cp).post('/services').send({ name: 'patch-bad', host: 'keep.example.com' }).expect(201);
      const before = await configVersion(cp);
      expectKongError(await admin(cp).patch('/services/patch-bad').send({ port: -1 }), KONG.SCHEMA_VIOLATION, { port: 'value should be between 0 and 65535' });
      expectKongError(await admin(cp).patch('/services/no-such-service').send({ retries: 1 }), KONG.NOT_FOUND, { name: 'no-such-service' });
      expect(await configVersion(cp)).toBe(before);
      const [row] = await cp.schema.query('SELECT port FROM services WHERE name = $1', ['patch-bad']);
      expect(row).toEqual({ port: 80 });
    });

    it('PUT by name creates, then replaces with defaults for the fields left out', async () => {
      const before = await configVersion(cp);
      const created = await admin(cp).put('/services/put-by-name').send({ host: 'one.example.com', retries: 1, tags: ['x'] });
      expectStatus(created, 200);
      expect(created.body).toMatchObject({ name: 'put-by-name', host: 'one.example.com', retries: 1, tags: ['x'] });

      const replaced = await admin(cp).put('/services/put-by-name').send({ host: 'two.example.com' });
      expectStatus(replaced, 200);
      expect(replaced.body).toMatchObject({ id: created.body.id, name: 'put-by-name', host: 'two.example.com', retries: 5, tags: null });
      expect(await configVersion(cp)).toBe(before + 2);
      expect((await auditFor(cp, created.body.id)).map((a) => a.action)).toEqual(['create', 'update']);
    });

    it('PUT by id creates with that id, then replaces (a name left out becomes null)', async () => {
      const id = '0a5b5f6e-1c2d-4e3f-8a9b-0c1d2e3f4a5b';
      const created = await admin(cp).put(`/services/${id}`).type('form').send(form({ name: 'put-by-id', host: 'id.example.com' }));
      expectStatus(created, 200);
      expect(created.body).toMatchObject({ id, name: 'put-by-id' });

      const replaced = await admin(cp).put(`/services/${id}`).send({ host: 'id2.example.com' });
      expectStatus(replaced, 200);
      expect(replaced.body).toMatchObject({ id, name: null, host: 'id2.example.com', created_at: created.body.created_at });
      expect(await countRows(cp, 'services', 'id = $1', [id])).toBe(1);
    });

    it('PUT refuses a body that contradicts the key in the path', async () => {
      await admin(cp).put('/services/put-clash').send({ host: 'clash.example.com' }).expect(200);
      expectKongError(await admin(cp).put('/services/put-clash').send({ name: 'other', host: 'x.example.com' }), KONG.SCHEMA_VIOLATION, { name: 'must match the name in the path' });
      const id = '1b5b5f6e-1c2d-4e3f-8a9b-0c1d2e3f4a5b';
      expectKongError(
        await admin(cp).put(`/services/${id}`).send({ id: '2b5b5f6e-1c2d-4e3f-8a9b-0c1d2e3f4a5b', host: 'x.example.com' }),
        KONG.SCHEMA_VIOLATION,
        { id: 'must match the id in the path' },
      );
    });

    it('DELETE removes the service (204), logs a delete, and is 204 with no write when absent', async () => {
      const created = await admin(cp).post('/services').send({ name: 'doomed', host: 'doomed.example.com' }).expect(201);
      const before = await configVersion(cp);
      const res = await admin(cp).delete('/services/doomed');
      expect(res.status).toBe(204);
      expect(res.text).toBe('');
      expect(await countRows(cp, 'services', 'id = $1', [created.body.id])).toBe(0);
      expect(await configVersion(cp)).toBe(before + 1);
      expect(await changesAt(cp, before + 1)).toEqual([{ entity_type: 'services', entity_id: created.body.id, op: 'delete' }]);
      expect((await auditFor(cp, created.body.id)).at(-1)).toMatchObject({ action: 'delete', before: expect.objectContaining({ name: 'doomed' }), after: null });
      await admin(cp).get('/services/doomed').expect(404);

      await admin(cp).delete('/services/doomed').expect(204);
      expect(await configVersion(cp)).toBe(before + 1);
    });
  });

  describe('routes', () => {
    let serviceId: string;

    beforeAll(async () => {
      const res = await admin(cp).post('/services').send({ name: 'routed', url: 'http://routed.internal:8080' }).expect(201);
      serviceId = res.body.id;
    });

    it('POST /services/{s}/routes creates a route on that service with Kong defaults', async () => {
      const res = await admin(cp)
        .post('/services/routed/routes')
        .send({ name: 'users', paths: ['/users', '~/users/\\d+$'], hosts: ['*.example.com', 'api.example.*'], methods: ['GET', 'POST'] });
      expectStatus(res, 201);
      expect(res.body).toEqual({
        id: expect.stringMatching(UUID),
        created_at: expect.any(Number),
        updated_at: expect.any(Number),
        name: 'users',
        protocols: ['http', 'https'],
        methods: ['GET', 'POST'],
        hosts: ['*.example.com', 'api.example.*'],
        paths: ['/users', '~/users/\\d+$'],
        headers: null,
        snis: null,
        https_redirect_status_code: 426,
        regex_priority: 0,
        strip_path: true,
        path_handling: 'v0',
        preserve_host: false,
        request_buffering: true,
        response_buffering: true,
        service: { id: serviceId },
        tags: null,
        regions: [],
        // Tollgate's: the operator's own, not a marketplace provider's.
        organization: null,
      });
      const [row] = await cp.schema.query('SELECT service_id::text, paths FROM routes WHERE id = $1', [res.body.id]);
      expect(row).toEqual({ service_id: serviceId, paths: ['/users', '~/users/\\d+$'] });
    });

    it('takes form bodies with a[]=b arrays (a regex with + survives encoding)', async () => {
      const res = await admin(cp)
        .post('/services/routed/routes')
        .type('form')
        .send(form({ name: 'form-route', 'paths[]': ['/orders', '~/orders/[0-9]+/items$'], 'methods[]': 'GET', strip_path: 'false', regex_priority: '10' }));
      expectStatus(res, 201);
      expect(res.body).toMatchObject({ paths: ['/orders', '~/orders/[0-9]+/items$'], methods: ['GET'], strip_path: false, regex_priority: 10 });
    });

    it('accepts headers alone as the matching field', async () => {
      const res = await admin(cp).post('/services/routed/routes').send({ headers: { 'x-version': ['v2'] } });
      expectStatus(res, 201);
      expect(res.body).toMatchObject({ name: null, headers: { 'x-version': ['v2'] } });
    });

    it('accepts regex paths in PCRE syntax, as Kong does (named groups, \\A, \\z, atomic groups)', async () => {
      const res = await admin(cp).post('/services/routed/routes').send({ name: 'pcre', paths: ['~/status/(?P<foo>re)', '~\\A/x/(?>a+)\\z'] });
      expectStatus(res, 201);
      expect(res.body.paths).toEqual(['~/status/(?P<foo>re)', '~\\A/x/(?>a+)\\z']);
    });

    it('refuses a route with none of methods, hosts, headers, paths, snis', async () => {
      const res = await admin(cp).post('/services/routed/routes').send({ name: 'matches-nothing' });
      expectKongError(res, KONG.SCHEMA_VIOLATION, {
        '@entity': ["at least one of these fields must be non-empty: 'methods', 'hosts', 'headers', 'paths', 'snis'"],
      });
      expect(await countRows(cp, 'routes', 'name = $1', ['matches-nothing'])).toBe(0);
    });

    it.each([
      ['a wildcard in the middle of a host', { hosts: ['api.*.example.com'] }, { hosts: ['wildcard must be leftmost or rightmost character'] }],
      ['two wildcards', { hosts: ['*.example.*'] }, { hosts: ['only one wildcard must be specified'] }],
      ['an invalid regex path', { paths: ['~/users/(\\d+'] }, { paths: [expect.stringContaining("invalid regex: '/users/(\\d+'")] }],
      ['a regex path with a PCRE construct JavaScript has no equivalent for', { paths: ['~/a/(?R)'] }, { paths: ["invalid regex: '/a/(?R)' (the recursion '(?R)' has no JavaScript equivalent)"] }],
      ['a path without a leading slash', { paths: ['users'] }, { paths: ['should start with: / (fixed path) or ~/ (regex path)'] }],
      ['a lower-case method', { methods: ['get'] }, { methods: ['invalid value: get'] }],
      ['an unknown protocol', { paths: ['/p'], protocols: ['gopher'] }, { protocols: [expect.stringContaining('expected one of')] }],
      ['a redirect status Kong does not allow', { paths: ['/p'], https_redirect_status_code: 200 }, { https_redirect_status_code: expect.stringContaining('expected one of') }],
    ])('refuses %s', async (_what, body, fields) => {
      expectKongError(await admin(cp).post('/services/routed/routes').send(body), KONG.SCHEMA_VIOLATION, fields);
    });

    it('POST /routes takes the service as {id}, {name} or a form service.name, and refuses one that does not exist', async () => {
      const byName = await admin(cp).post('/routes').send({ name: 'by-name', paths: ['/by-name'], service: { name: 'routed' } });
      expectStatus(byName, 201);
      expect(byName.body.service).toEqual({ id: serviceId });

      const byId = await admin(cp).post('/routes').send({ name: 'by-id', paths: ['/by-id'], service: { id: serviceId } });
      expect(byId.body.service).toEqual({ id: serviceId });

      const byForm = await admin(cp).post('/routes').type('form').send(form({ name: 'by-form', 'paths[]': '/by-form', 'service.name': 'routed' }));
      expectStatus(byForm, 201);
      expect(byForm.body.service).toEqual({ id: serviceId });

      const missing = '7e0f8a4e-0000-4000-8000-000000000000';
      const res = await admin(cp).post('/routes').send({ name: 'dangling', paths: ['/dangling'], service: { id: missing } });
      expectKongError(res, KONG.FOREIGN_KEY_VIOLATION, { service: { id: missing } }, `the foreign key '{id="${missing}"}' does not reference an existing 'services' entity.`);
      expectKongError(await admin(cp).post('/routes').send({ paths: ['/x'], service: { id: 'not-a-uuid' } }), KONG.SCHEMA_VIOLATION, { service: { id: 'expected a valid UUID' } });
    });

    it('nested routes of a service that does not exist are 404', async () => {
      expectKongError(await admin(cp).post('/services/ghost/routes').send({ paths: ['/x'] }), KONG.NOT_FOUND, { name: 'ghost' });
      expectKongError(await admin(cp).get('/services/ghost/routes'), KONG.NOT_FOUND);
    });

    it('GET /services/{s}/routes lists only that service’s routes; a route under another service is 404', async () => {
      await admin(cp).post('/services').send({ name: 'other-svc', host: 'other.example.com' }).expect(201);
      await admin(cp).post('/services/other-svc/routes').send({ name: 'other-route', paths: ['/other'] }).expect(201);

      const list = await admin(cp).get('/services/routed/routes');
      expectStatus(list, 200);
      const names = list.body.data.map((r: { name: string }) => r.name);
      expect(names).toEqual(expect.arrayContaining(['users', 'form-route', 'by-name']));
      expect(names).not.toContain('other-route');
      expect(list.body.data.every((r: { service: { id: string } }) => r.service.id === serviceId)).toBe(true);

      expectStatus(await admin(cp).get('/services/routed/routes/users'), 200);
      expectKongError(await admin(cp).get('/services/routed/routes/other-route'), KONG.NOT_FOUND);
      expectStatus(await admin(cp).get('/routes/other-route'), 200);
    });

    it('GET /routes/{r}/service returns the route’s service; a route without one is 404', async () => {
      const res = await admin(cp).get('/routes/users/service');
      expectStatus(res, 200);
      expect(res.body).toMatchObject({ id: serviceId, name: 'routed', host: 'routed.internal', port: 8080 });

      await admin(cp).post('/routes').send({ name: 'serviceless', paths: ['/serviceless'] }).expect(201);
      expectKongError(await admin(cp).get('/routes/serviceless/service'), KONG.NOT_FOUND);
      expectKongError(await admin(cp).get('/routes/no-such-route/service'), KONG.NOT_FOUND);
    });

    it('PATCH /routes/{r} moves a route to another service by name', async () => {
      await admin(cp).post('/services/routed/routes').send({ name: 'movable', paths: ['/movable'] }).expect(201);
      const other = await admin(cp).get('/services/other-svc').expect(200);
      const res = await admin(cp).patch('/routes/movable').send({ service: { name: 'other-svc' } });
      expectStatus(res, 200);
      expect(res.body.service).toEqual({ id: other.body.id });

      const back = await admin(cp).patch('/routes/movable').type('form').send(form({ 'service.id': serviceId }));
      expectStatus(back, 200);
      expect(back.body.service).toEqual({ id: serviceId });
    });

    it('PATCH /services/{s}/routes/{r} updates a nested route, keeping what was not sent', async () => {
      const res = await admin(cp).patch('/services/routed/routes/users').send({ strip_path: false, paths: ['/people'] });
      expectStatus(res, 200);
      expect(res.body).toMatchObject({ strip_path: false, paths: ['/people'], hosts: ['*.example.com', 'api.example.*'], service: { id: serviceId } });
      expectKongError(await admin(cp).patch('/routes/users').send({ paths: null, hosts: null, methods: null }), KONG.SCHEMA_VIOLATION, {
        '@entity': [expect.stringContaining('at least one of these fields must be non-empty')],
      });
    });

    it('PUT /services/{s}/routes/{name} creates a route on that service, then replaces it', async () => {
      const created = await admin(cp).put('/services/routed/routes/put-route').send({ paths: ['/put'], preserve_host: true });
      expectStatus(created, 200);
      expect(created.body).toMatchObject({ name: 'put-route', service: { id: serviceId }, preserve_host: true });
      const replaced = await admin(cp).put('/services/routed/routes/put-route').send({ hosts: ['put.example.com'] });
      expectStatus(replaced, 200);
      expect(replaced.body).toMatchObject({ id: created.body.id, paths: null, hosts: ['put.example.com'], preserve_host: false, service: { id: serviceId } });
    });

    it('GET /routes lists every route; PUT /routes/{name} creates and replaces at the top level', async () => {
      const list = await admin(cp).get('/routes');
      expectStatus(list, 200);
      expect(list.body.data.map((r: { name: string }) => r.name)).toEqual(expect.arrayContaining(['users', 'other-route', 'serviceless']));

      const created = await admin(cp).put('/routes/top-put').send({ paths: ['/top'], service: { name: 'routed' } });
      expectStatus(created, 200);
      expect(created.body).toMatchObject({ name: 'top-put', service: { id: serviceId } });
      const replaced = await admin(cp).put(`/routes/${created.body.id}`).send({ name: 'top-put', methods: ['DELETE'] });
      expectStatus(replaced, 200);
      expect(replaced.body).toMatchObject({ id: created.body.id, methods: ['DELETE'], paths: null, service: null });
    });

    it('refuses a duplicate route name with 409', async () => {
      expectKongError(await admin(cp).post('/routes').send({ name: 'users', paths: ['/again'] }), KONG.UNIQUE_VIOLATION, { name: 'users' });
    });

    it('refuses to delete a service that routes reference (code 19) and deletes it once they are gone', async () => {
      await admin(cp).post('/services').send({ name: 'referenced', host: 'ref.example.com' }).expect(201);
      const route = await admin(cp).post('/services/referenced/routes').send({ paths: ['/ref'] }).expect(201);
      const before = await configVersion(cp);

      const refused = await admin(cp).delete('/services/referenced');
      expectKongError(refused, KONG.REFERENCED_BY_OTHERS, { '@referenced_by': 'routes' }, "an existing 'routes' entity references this 'services' entity");
      expect(await countRows(cp, 'services', 'name = $1', ['referenced'])).toBe(1);
      expect(await configVersion(cp)).toBe(before);

      await admin(cp).delete(`/services/referenced/routes/${route.body.id}`).expect(204);
      expect(await countRows(cp, 'routes', 'id = $1', [route.body.id])).toBe(0);
      await admin(cp).delete('/services/referenced').expect(204);
      expect(await configVersion(cp)).toBe(before + 2);
    });

    it('DELETE of a nested route under the wrong service leaves it alone', async () => {
      const route = await admin(cp).post('/services/other-svc/routes').send({ paths: ['/stays'] }).expect(201);
      // Kong's delete_entity_endpoint: a child of another parent is 404.
      await admin(cp).delete(`/services/routed/routes/${route.body.id}`).expect(404);
      expect(await countRows(cp, 'routes', 'id = $1', [route.body.id])).toBe(1);
      await admin(cp).delete(`/routes/${route.body.id}`).expect(204);
      expect(await countRows(cp, 'routes', 'id = $1', [route.body.id])).toBe(0);
    });
  });
});
