import { FAMILY_RULES, type AccessFamily } from '../src/access/access-families';
import { familyOf, isReadMethod } from '../src/access/access-rules';
import { ROLES, type Role } from '../src/access/roles';
import { listAdminRoutes, type AdminRoute } from '../src/access/route-list';
import { bearer, bootstrapSecret, issueToken } from './access-support';
import { admin, expectStatus, startTestControlPlane, type TestControlPlane } from './admin-api';

/**
 * The issue's semantics, stated here independently of the code's table: which roles may read
 * and change each family of routes (a provider then only within its organization).
 */
const EXPECTED: Record<AccessFamily, { read: Role[]; write: Role[] }> = {
  'provider-entities': { read: ['admin', 'operator', 'provider', 'read-only'], write: ['admin', 'operator', 'provider'] },
  'operator-entities': { read: ['admin', 'operator', 'read-only'], write: ['admin', 'operator'] },
  organizations: { read: ['admin', 'operator', 'provider', 'read-only'], write: ['admin', 'operator'] },
  'admin-tokens': { read: ['admin', 'read-only'], write: ['admin'] },
  whoami: { read: [...ROLES], write: [] },
  'audit-log': { read: ['admin', 'operator', 'provider', 'read-only'], write: [] },
  analytics: { read: [...ROLES], write: [] },
  'declarative-config': { read: ['admin', 'operator', 'read-only'], write: ['admin', 'operator'] },
  clustering: { read: ['admin', 'operator', 'read-only'], write: ['admin', 'operator'] },
  'proxy-cache': { read: ['admin', 'operator', 'read-only'], write: ['admin', 'operator'] },
  info: { read: [...ROLES], write: [] },
  'schema-validation': { read: [...ROLES], write: ['admin', 'operator', 'provider'] },
  tags: { read: ['admin', 'operator', 'read-only'], write: [] },
  'legacy-apis': { read: ['admin', 'operator', 'read-only'], write: ['admin', 'operator'] },
  metrics: { read: ['admin', 'operator', 'read-only'], write: [] },
  billing: { read: [...ROLES], write: ['admin', 'operator', 'provider'] },
};

const PARAMS: Record<string, string> = { entity: 'services', name: 'cors', tag: 'probe' };

/** A concrete URL for a route pattern: unknown ids, so allowed calls end in 404s and 400s, never in changes. */
function urlOf(route: AdminRoute): string {
  return route.path.replace(/:(\w+)/g, (_, param: string) => PARAMS[param] ?? '5b2d1c8e-1f0a-4c3e-9d7b-2a6f8e4c1d30');
}

describe('access: every role against every admin route', () => {
  let cp: TestControlPlane;
  const tokens = new Map<Role, string>();
  let routes: AdminRoute[];

  beforeAll(async () => {
    const boot = bootstrapSecret();
    cp = await startTestControlPlane('access-roles', { adminBootstrapToken: boot, usageWorkerConcurrency: 0 });
    tokens.set('admin', boot);
    const org = await admin(cp).post('/organizations').set(bearer(boot)).send({ name: 'acme' });
    expectStatus(org, 201);
    for (const role of ROLES.filter((r) => r !== 'admin')) {
      const organization = role === 'provider' ? { id: org.body.id } : undefined;
      tokens.set(role, (await issueToken(cp, boot, { name: `${role}-token`, role, organization })).token);
    }
    routes = listAdminRoutes(cp.app);
  });

  afterAll(async () => {
    await cp.stop();
  });

  it('every route has a rule, and the code grants exactly the roles stated here', () => {
    expect(routes.length).toBeGreaterThan(150);
    const missing = routes.filter((r) => familyOf(r.path) === undefined).map((r) => `${r.method} ${r.path}`);
    expect(missing).toEqual([]);
    expect(FAMILY_RULES).toEqual(EXPECTED);
  });

  it('each role is served or refused (403) on each route as stated; nobody without a valid token gets in (401)', async () => {
    const wrong: string[] = [];
    for (const route of routes) {
      const family = familyOf(route.path)!;
      const allowed = isReadMethod(route.method) ? EXPECTED[family].read : EXPECTED[family].write;
      const call = (headers: Record<string, string>) =>
        admin(cp)
          [route.method.toLowerCase() as 'get'](urlOf(route))
          .set(headers)
          .send(isReadMethod(route.method) ? undefined : {});
      for (const role of ROLES) {
        const res = await call(bearer(tokens.get(role)!));
        const refused = res.status === 403;
        if (refused === allowed.includes(role) || res.status === 401 || res.status >= 500) {
          wrong.push(`${role} ${route.method} ${route.path}: ${res.status} ${res.text.slice(0, 120)}`);
        }
        if (refused) expect(res.body).toEqual({ message: expect.stringContaining(`'${role}' role may not`) });
      }
      for (const headers of [{}, bearer('tgk_' + 'x'.repeat(43)), { 'kong-admin-token': 'not-a-token' }]) {
        const res = await call(headers);
        if (res.status !== 401) wrong.push(`no valid token ${route.method} ${route.path}: ${res.status}`);
        else expect(res.body).toEqual({ message: expect.any(String) });
      }
    }
    expect(wrong).toEqual([]);
  });

  it("openapi.json declares both security schemes and each operation's roles, as the guard enforces them", async () => {
    const res = await admin(cp).get('/openapi.json').set(bearer(tokens.get('billing-reader')!));
    expectStatus(res, 200);
    const doc = res.body;
    expect(doc.components.securitySchemes).toEqual({
      bearerAuth: expect.objectContaining({ type: 'http', scheme: 'bearer' }),
      kongAdminToken: expect.objectContaining({ type: 'apiKey', in: 'header', name: 'Kong-Admin-Token' }),
    });
    expect(doc.security).toEqual([{ bearerAuth: [] }, { kongAdminToken: [] }]);
    expect(doc.paths['/services'].post['x-tollgate-roles']).toEqual(EXPECTED['provider-entities'].write);
    expect(doc.paths['/admin-tokens'].post['x-tollgate-roles']).toEqual(['admin']);
    expect(doc.paths['/admin-tokens/me'].get['x-tollgate-roles']).toEqual([...ROLES]);
    expect(doc.paths['/audit-log'].get['x-tollgate-roles']).toEqual(EXPECTED['audit-log'].read);
    expect(doc.paths['/analytics/usage'].get['x-tollgate-roles']).toEqual([...ROLES]);
    expect(doc.paths['/admin-tokens/{key}']).not.toHaveProperty('patch');
    expect(doc.components.schemas.admin_tokens.properties).not.toHaveProperty('token_hash');
    for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, { 'x-tollgate-roles'?: string[]; responses: object }>>)) {
      for (const [method, op] of Object.entries(item)) {
        if (method === 'parameters') continue;
        expect({ path, method, roles: op['x-tollgate-roles'] }).toEqual({ path, method, roles: expect.any(Array) });
        expect(op.responses).toHaveProperty('401');
      }
    }
  });

  it("Kong's Kong-Admin-Token header works like Authorization: Bearer, and /admin-tokens/me names the caller", async () => {
    const viaKong = await admin(cp).get('/admin-tokens/me').set('kong-admin-token', tokens.get('read-only')!);
    expectStatus(viaKong, 200);
    expect(viaKong.body).toEqual({ kind: 'token', id: expect.any(String), name: 'read-only-token', role: 'read-only', organization: null });
    const provider = await admin(cp).get('/admin-tokens/me').set(bearer(tokens.get('provider')!));
    expect(provider.body).toMatchObject({ role: 'provider', organization: { id: expect.any(String) } });
  });
});
