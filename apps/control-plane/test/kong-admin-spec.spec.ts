import { admin, expectStatus, startTestControlPlane, type TestControlPlane } from './admin-api';

/**
 * Cases translated from Kong's spec/02-integration/04-admin_api (Kong/kong), where Tollgate used
 * to answer differently. Each case names the Kong file and its `it(...)`.
 */
describe('admin API: Kong 3.x spec cases', () => {
  let cp: TestControlPlane;

  beforeAll(async () => {
    cp = await startTestControlPlane('kong-admin-spec');
  });

  afterAll(async () => {
    await cp.stop();
  });

  describe('error bodies', () => {
    // 03-consumers_routes_spec.lua: "returns 400 on missing body with application/json"
    it('a POST with Content-Type JSON and no body is "Cannot parse JSON body"', async () => {
      const res = await admin(cp).post('/consumers').set('Content-Type', 'application/json');
      expectStatus(res, 400);
      expect(res.body).toEqual({ message: 'Cannot parse JSON body' });
    });

    // 03-consumers_routes_spec.lua: "handles malformed JSON body" (PUT /consumers/{id})
    // 09-routes_routes_spec.lua, 10-services_routes_spec.lua, 07-upstreams_routes_spec.lua: same case on their entities
    it.each(['/consumers/8a1b2c3d-0000-4000-8000-000000000001', '/routes/8a1b2c3d-0000-4000-8000-000000000002', '/services/8a1b2c3d-0000-4000-8000-000000000003', '/upstreams/up.example'])(
      'handles malformed JSON body on PUT %s',
      async (path) => {
        const res = await admin(cp).put(path).set('Content-Type', 'application/json').send('{"hello": "world"');
        expectStatus(res, 400);
        expect(res.text).toBe('{"message":"Cannot parse JSON body"}');
      },
    );

    // 03-consumers_routes_spec.lua: "returns 400 on conflicting custom_id" (it asserts 409)
    it('returns 409 on conflicting custom_id, in Kong’s words', async () => {
      expectStatus(await admin(cp).post('/consumers').send({ username: 'bob-409', custom_id: 'conflicting-1234' }), 201);
      const res = await admin(cp).post('/consumers').send({ username: 'tom-409', custom_id: 'conflicting-1234' });
      expectStatus(res, 409);
      expect(res.body.name).toBe('unique constraint violation');
      expect(res.body.message).toBe(`UNIQUE violation detected on '{custom_id="conflicting-1234"}'`);
    });

    // 03-consumers_routes_spec.lua: "returns 405 on invalid method"; 09-routes_routes_spec.lua: "returns HTTP 405 on invalid method"
    it.each([
      ['DELETE', '/consumers'],
      ['PATCH', '/consumers'],
      ['DELETE', '/routes'],
      ['PUT', '/routes'],
      ['PATCH', '/routes'],
    ])('returns 405 on invalid method %s %s', async (method, path) => {
      const res = await admin(cp)[method.toLowerCase() as 'delete' | 'put' | 'patch'](path).set('Content-Type', 'application/json').send({});
      expectStatus(res, 405);
      expect(res.body).toEqual({ message: 'Method not allowed' });
    });
  });
  describe('OPTIONS', () => {
    // 09-routes_routes_spec.lua: "returns allow and CORS headers with OPTIONS method" (/routes and /routes/{route});
    // 02-kong_routes_spec.lua: "returns allow and CORS headers with OPTIONS method" (/);
    // 23-cors_spec.lua: "should return different allow-methods for specific route"
    it.each([
      ['/', 'GET, HEAD, OPTIONS'],
      ['/routes', 'GET, HEAD, OPTIONS, POST'],
      ['/routes/test', 'DELETE, GET, HEAD, OPTIONS, PATCH, PUT'],
      ['/services/test/routes', 'GET, HEAD, OPTIONS, POST'],
      ['/consumers/bob/plugins/9b1c0000-0000-4000-8000-000000000001', 'DELETE, GET, HEAD, OPTIONS, PATCH, PUT'],
    ])('returns allow and CORS headers with OPTIONS method on %s', async (path, methods) => {
      const res = await admin(cp).options(path);
      expectStatus(res, 204);
      expect(res.text).toBe('');
      expect(res.headers).toMatchObject({
        allow: methods,
        'access-control-allow-methods': methods,
        'access-control-allow-headers': 'Content-Type',
        'access-control-allow-origin': '*',
      });
    });

    // 23-cors_spec.lua: "should allow headers from the request"
    it('should allow headers from the request', async () => {
      const res = await admin(cp).options('/').set('Access-Control-Request-Headers', 'X-Header-1,X-Header-2');
      expectStatus(res, 204);
      expect(res.headers['access-control-allow-headers']).toBe('X-Header-1,X-Header-2');
    });

    // 23-cors_spec.lua (Main request): "should not respond to |AC-Request-Method| or |AC-Request-Headers| headers"
    // and 'should return the correct |AC-Allow-Origin| header when "Origin" is absent in request headers'
    it('a main request gets Allow-Origin * and no preflight headers', async () => {
      const res = await admin(cp).get('/').set('Access-Control-Request-Method', 'PATCH').set('Access-Control-Request-Headers', 'X-Header-1');
      expectStatus(res, 200);
      expect(res.headers['access-control-allow-methods']).toBeUndefined();
      expect(res.headers['access-control-allow-headers']).toBeUndefined();
      expect(res.headers['access-control-allow-origin']).toBe('*');
    });

    it('OPTIONS on a path the admin API does not serve stays a 404', async () => {
      const res = await admin(cp).options('/unicorns');
      expectStatus(res, 404);
    });
  });
  describe('plugins by instance_name', () => {
    /** A service of its own: a service takes one key-auth plugin. */
    async function freshService(): Promise<string> {
      const service = await admin(cp).post('/services').send({ host: 'instance.example' });
      expectStatus(service, 201);
      return service.body.id as string;
    }

    beforeAll(async () => {
      for (const [name, key] of [['key-auth-1', 'k1'], ['key-auth-2', 'k2'], ['円', 'k4']] as const) {
        const svc = await admin(cp).put(`/services/${encodeURIComponent(`svc-${key}`)}`).send({ host: `${key}.example` });
        expectStatus(svc, 200);
        const created = await admin(cp).post('/plugins').send({ name: 'key-auth', instance_name: name, service: { id: svc.body.id }, config: { key_names: ['testkey'] } });
        expectStatus(created, 201);
      }
    });

    // 04-plugins_routes_spec.lua: "retrieves a plugin by instance_name"
    it('retrieves a plugin by instance_name', async () => {
      const res = await admin(cp).get('/plugins/key-auth-1');
      expectStatus(res, 200);
      expect(res.body).toMatchObject({ name: 'key-auth', instance_name: 'key-auth-1' });
    });

    // 04-plugins_routes_spec.lua: "returns 404 if not found by instance_name"
    it('returns 404 if not found by instance_name', async () => {
      expectStatus(await admin(cp).get('/plugins/not-found'), 404);
    });

    // 04-plugins_routes_spec.lua: "retrieves by utf-8 name and percent-escaped utf-8 name"
    it('retrieves by utf-8 name and percent-escaped utf-8 name', async () => {
      const res = await admin(cp).get('/plugins/%E5%86%86');
      expectStatus(res, 200);
      expect(res.body.instance_name).toBe('円');
    });

    // 04-plugins_routes_spec.lua: "can create a plugin by instance_name"
    it('can create a plugin by instance_name', async () => {
      const instanceName = `name-${crypto.randomUUID()}`;
      const res = await admin(cp).put(`/plugins/${instanceName}`).send({ name: 'key-auth', service: { id: await freshService() } });
      expectStatus(res, 200);
      expect(res.body.instance_name).toBe(instanceName);
    });

    // 04-plugins_routes_spec.lua: "can upsert a plugin by instance_name"
    it('can upsert a plugin by instance_name', async () => {
      const instanceName = `name-${crypto.randomUUID()}`;
      const serviceId = await freshService();
      const first = await admin(cp).put(`/plugins/${instanceName}`).send({ name: 'key-auth', service: { id: serviceId }, config: { key_names: ['testkey'] } });
      expectStatus(first, 200);
      const second = await admin(cp).put(`/plugins/${instanceName}`).send({ name: 'key-auth', service: { id: serviceId }, config: { key_names: ['testkey2'] } });
      expectStatus(second, 200);
      expect(second.body.id).toBe(first.body.id);
      expect(second.body.config.key_names).toEqual(['testkey2']);
    });

    // 04-plugins_routes_spec.lua: "updates a plugin by instance_name"
    it('updates a plugin by instance_name', async () => {
      const res = await admin(cp).patch('/plugins/key-auth-2').send({ enabled: false });
      expectStatus(res, 200);
      expect(res.body.enabled).toBe(false);
      expect((await admin(cp).get('/plugins/key-auth-2')).body.enabled).toBe(false);
    });

    // 10-services_routes_spec.lua: "retrieves a plugin by instance_name" and "deletes a plugin by instance_name"
    it('retrieves and deletes a plugin by instance_name under its service', async () => {
      const instanceName = `name-${crypto.randomUUID()}`;
      const serviceId = await freshService();
      expectStatus(await admin(cp).post(`/services/${serviceId}/plugins`).send({ name: 'key-auth', instance_name: instanceName }), 201);
      const got = await admin(cp).get(`/services/${serviceId}/plugins/${instanceName}`);
      expectStatus(got, 200);
      expect(got.body.instance_name).toBe(instanceName);
      const res = await admin(cp).delete(`/services/${serviceId}/plugins/${instanceName}`);
      expectStatus(res, 204);
      expectStatus(await admin(cp).get(`/plugins/${instanceName}`), 404);
    });

    // 04-plugins_routes_spec.lua: "deletes by instance_name" and "returns 204 if not found by instance_name"
    it('deletes by instance_name; a missing instance_name is 204', async () => {
      const res = await admin(cp).delete('/plugins/%E5%86%86');
      expectStatus(res, 204);
      expect(res.text).toBe('');
      expectStatus(await admin(cp).get('/plugins/%E5%86%86'), 404);
      expectStatus(await admin(cp).delete('/plugins/not-found'), 204);
    });
  });
  describe('GET /consumers?custom_id=', () => {
    // 03-consumers_routes_spec.lua: "not crashed by empty custom_id #KAG-867"
    it('not crashed by empty custom_id #KAG-867', async () => {
      for (const path of ['/consumers?custom_id=', '/consumers?custom_id']) {
        const res = await admin(cp).get(path);
        expectStatus(res, 400);
        expect(res.body).toEqual({ message: 'custom_id must be an unempty string' });
      }
    });

    // 03-consumers_routes_spec.lua: "allows filtering by custom_id" and "allows filtering by uuid-like custom_id"
    it.each(['custom id/ü&x', crypto.randomUUID()])('allows filtering by custom_id %j', async (customId) => {
      const created = await admin(cp).post('/consumers').send({ custom_id: customId });
      expectStatus(created, 201);
      expectStatus(await admin(cp).post('/consumers').send({ custom_id: `${customId}-other` }), 201);
      const res = await admin(cp).get(`/consumers?custom_id=${encodeURIComponent(customId)}`);
      expectStatus(res, 200);
      expect(res.body).toEqual({ data: [created.body], next: null });
    });

    // 03-consumers_routes_spec.lua: "returns empty json array when consumer does not exist"
    it('returns empty json array when consumer does not exist', async () => {
      const res = await admin(cp).get('/consumers?custom_id=does-not-exist');
      expectStatus(res, 200);
      expect(res.text).toMatch(/"data":\[\]/);
    });
  });
  describe('nested DELETE of what is not there', () => {
    // 03-consumers_routes_spec.lua (/consumers/{consumer}/plugins/{plugin} DELETE errors): "returns 404 if not found"
    it('returns 404 if not found', async () => {
      const consumer = await admin(cp).post('/consumers').send({ username: 'nested-delete' });
      expectStatus(consumer, 201);
      const res = await admin(cp).delete(`/consumers/${consumer.body.id}/plugins/fafafafa-1234-4aba-8678-cececececece`);
      expectStatus(res, 404);
    });

    // kong/api/endpoints.lua delete_entity_endpoint: a child of another parent, or a missing parent, is 404 too
    it('a child of another parent, or under a missing parent, is 404 and stays', async () => {
      const a = await admin(cp).post('/services').send({ name: 'nested-a', host: 'a.example' });
      expectStatus(await admin(cp).post('/services').send({ name: 'nested-b', host: 'b.example' }), 201);
      const route = await admin(cp).post('/services/nested-a/routes').send({ paths: ['/nested-a'] });
      expectStatus(route, 201);
      expectStatus(await admin(cp).delete(`/services/nested-b/routes/${route.body.id}`), 404);
      expectStatus(await admin(cp).delete(`/services/no-such-service/routes/${route.body.id}`), 404);
      expectStatus(await admin(cp).get(`/routes/${route.body.id}`), 200);
      expectStatus(await admin(cp).delete(`/services/${a.body.id}/routes/${route.body.id}`), 204);
    });

    // 10-services_routes_spec.lua: "returns HTTP 204 even if not found" (top-level DELETE is unchanged)
    it('returns HTTP 204 even if not found at the top level', async () => {
      expectStatus(await admin(cp).delete(`/services/${crypto.randomUUID()}`), 204);
      expectStatus(await admin(cp).delete('/services/not-found'), 204);
    });
  });
  describe('tag filters and next links', () => {
    beforeAll(async () => {
      for (const [name, tags] of [
        ['tagged-1', ['corp_ a', 'consumer_ 1']],
        ['tagged-2', ['corp_ a', 'consumer_ 2']],
        ['tagged-3', ['consumer_ 3']],
      ] as const) {
        expectStatus(await admin(cp).post('/consumers').send({ username: name, tags }), 201);
      }
    });

    // 14-tags_spec.lua: "filter by single tag"
    it('filter by single tag', async () => {
      const res = await admin(cp).get('/consumers?tags=corp_%20a');
      expectStatus(res, 200);
      expect(res.body.data.map((c: { username: string }) => c.username).sort()).toEqual(['tagged-1', 'tagged-2']);
    });

    // 14-tags_spec.lua: "filter by empty tag"
    it('filter by empty tag', async () => {
      const res = await admin(cp).get('/consumers?tags=');
      expectStatus(res, 400);
      expect(res.body.message).toBe('invalid option (tags: cannot be null)');
    });

    // 14-tags_spec.lua: "errors if filter by mix of AND and OR"
    it('errors if filter by mix of AND and OR', async () => {
      for (const path of ['/consumers?tags=consumer_%203,consumer_%202/consumer_%201', '/consumers?tags=consumer_%203/consumer_%202,consumer_%201']) {
        const res = await admin(cp).get(path);
        expectStatus(res, 400);
        expect(res.body).toEqual({ code: 11, name: 'invalid options', message: 'invalid option (tags: invalid filter syntax)', options: { tags: 'invalid filter syntax' } });
      }
    });

    // 14-tags_spec.lua: "returns the correct 'next' arg"
    it("returns the correct 'next' arg", async () => {
      const res = await admin(cp).get('/consumers?tags=corp_%20a&size=1');
      expectStatus(res, 200);
      expect(res.body.data).toHaveLength(1);
      expect(res.body.next).toContain('tags=corp_%20a');
      expect(res.body.next).toBe(`/consumers?offset=${res.body.offset}&tags=corp_%20a&size=1`);
      const second = await admin(cp).get(res.body.next);
      expectStatus(second, 200);
      expect(second.body.data).toHaveLength(1);
      expect(second.body.data[0].id).not.toBe(res.body.data[0].id);
    });
  });
  describe('/routes/{route}/service', () => {
    async function routeWithService(name?: string): Promise<{ routeId: string; serviceId: string }> {
      const service = await admin(cp).post('/services').send({ host: 'example.com', path: '/' });
      expectStatus(service, 201);
      const route = await admin(cp).post('/routes').send({ ...(name ? { name } : {}), paths: ['/my-route'], service: { id: service.body.id } });
      expectStatus(route, 201);
      return { routeId: route.body.id as string, serviceId: service.body.id as string };
    }

    // 09-routes_routes_spec.lua (/routes/{route}/service PATCH): "updates if found"
    it('PATCH updates the service the route points at', async () => {
      const { routeId, serviceId } = await routeWithService();
      const res = await admin(cp).patch(`/routes/${routeId}/service`).send({ host: 'edited.test', path: null });
      expectStatus(res, 200);
      expect(res.body).toMatchObject({ id: serviceId, host: 'edited.test', path: null });
      expect((await admin(cp).get(`/services/${serviceId}`)).body.host).toBe('edited.test');
    });

    // 09-routes_routes_spec.lua (PATCH errors): "returns 404 if not found"
    it('PATCH returns 404 if the route is not found', async () => {
      expectStatus(await admin(cp).patch(`/routes/${crypto.randomUUID()}/service`).send({ host: 'x.test' }), 404);
    });

    // 09-routes_routes_spec.lua (PUT): "updates if found by name" and "updates with url"
    it('PUT replaces the service the route points at, by route name too', async () => {
      const { serviceId } = await routeWithService('my-service-put-route');
      const res = await admin(cp).put('/routes/my-service-put-route/service').send({ name: 'edited-name', host: 'edited.test', path: null });
      expectStatus(res, 200);
      expect(res.body).toMatchObject({ id: serviceId, name: 'edited-name', host: 'edited.test', path: null });
      const url = await admin(cp).put('/routes/my-service-put-route/service').send({ url: 'http://edited2.test:1234/foo' });
      expectStatus(url, 200);
      expect(url.body).toMatchObject({ id: serviceId, host: 'edited2.test', port: 1234, path: '/foo' });
    });

    // 09-routes_routes_spec.lua (PUT): "creates if not found" (a route without a service gets a new one)
    it('PUT creates a service for a route that has none and points the route at it', async () => {
      const route = await admin(cp).post('/routes').send({ paths: ['/serviceless'] });
      expectStatus(route, 201);
      const res = await admin(cp).put(`/routes/${route.body.id}/service`).send({ url: 'http://konghq.test' });
      expectStatus(res, 200);
      expect(res.body.host).toBe('konghq.test');
      expect((await admin(cp).get(`/routes/${route.body.id}`)).body.service).toEqual({ id: res.body.id });
    });

    // 09-routes_routes_spec.lua (PUT errors): "returns 404 if not found"
    it('PUT returns 404 if the route is not found', async () => {
      expectStatus(await admin(cp).put(`/routes/${crypto.randomUUID()}/service`).send({ name: 'edited', host: 'edited.test' }), 404);
    });

    // 09-routes_routes_spec.lua (DELETE errors): "returns HTTP 405 when trying to delete a service that is referenced",
    // "returns HTTP 404 with non-existing route", "returns HTTP 404 with non-existing route by name"
    it('DELETE is 405 while the route points at a service, 404 for a missing route', async () => {
      const { routeId } = await routeWithService();
      const res = await admin(cp).delete(`/routes/${routeId}/service`);
      expectStatus(res, 405);
      expect(res.body).toEqual({ message: 'Method not allowed' });
      expectStatus(await admin(cp).delete(`/routes/${crypto.randomUUID()}/service`), 404);
      expectStatus(await admin(cp).delete('/routes/in-existent-route/service'), 404);
    });
  });
});
