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
});
