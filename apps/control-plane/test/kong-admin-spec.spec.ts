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
});
