import { admin, configVersion, expectStatus, startTestControlPlane, type TestControlPlane } from './admin-api';

const KONG_YML = `
_format_version: "3.0"
services:
  - name: orders
    url: http://orders.internal:8080/v1
    routes:
      - name: orders-api
        paths: [/orders]
        methods: [GET, POST]
    plugins:
      - name: rate-limiting
        config: { minute: 100, policy: local }
  - name: billing
    url: http://billing.internal
consumers:
  - username: alice
    keyauth_credentials:
      - key: alice-secret-key
    basicauth_credentials:
      - username: alice
        password: wonderland
plugins:
  - name: key-auth
`;

describe('POST /config: declarative import in one transaction', () => {
  let cp: TestControlPlane;

  beforeAll(async () => {
    cp = await startTestControlPlane('declarative_config');
  });

  afterAll(async () => {
    await cp.stop();
  });

  it('creates every entity of a Kong file, as one config version, with passwords hashed', async () => {
    const before = await configVersion(cp);
    const res = await admin(cp).post('/config').type('form').send({ config: KONG_YML });
    expectStatus(res, 201);
    expect(res.body.counts).toMatchObject({ services: 2, routes: 1, consumers: 1, plugins: 2, keyauth_credentials: 1, basicauth_credentials: 1 });
    expect(await configVersion(cp)).toBe(before + 1);
    const services = (await admin(cp).get('/services')).body.data;
    expect(services.map((s: { name: string }) => s.name).sort()).toEqual(['billing', 'orders']);
    expect(services.find((s: { name: string }) => s.name === 'orders')).toMatchObject({ host: 'orders.internal', port: 8080, path: '/v1' });
    const [row] = await cp.schema.query<{ password: string }>('SELECT password FROM basicauth_credentials');
    expect(row!.password).toMatch(/^scrypt\$/);
    expect((await admin(cp).get('/key-auths/alice-secret-key')).status).toBe(200);
  });

  it('is idempotent by id, and removes what the file no longer has', async () => {
    const ids = (await admin(cp).get('/services')).body.data.map((s: { id: string }) => s.id).sort();
    const edited = KONG_YML.replace('url: http://billing.internal', 'url: http://billing.internal:9000').replace(/\n {4}plugins:\n {6}- name: rate-limiting\n {8}config: \{ minute: 100, policy: local \}/, '');
    expectStatus(await admin(cp).post('/config').send({ config: edited }), 201);
    const services = (await admin(cp).get('/services')).body.data;
    expect(services.map((s: { id: string }) => s.id).sort()).toEqual(ids);
    expect(services.find((s: { name: string }) => s.name === 'billing').port).toBe(9000);
    const plugins = (await admin(cp).get('/plugins')).body.data;
    expect(plugins.map((p: { name: string }) => p.name)).toEqual(['key-auth']);
  });

  it('accepts the document itself as a JSON body', async () => {
    const res = await admin(cp).post('/config').send({ _format_version: '3.0', consumers: [{ username: 'only-bob' }] });
    expectStatus(res, 201);
    expect((await admin(cp).get('/consumers')).body.data.map((c: { username: string }) => c.username)).toEqual(['only-bob']);
    expect((await admin(cp).get('/services')).body.data).toEqual([]);
  });

  it('refuses an invalid file with code 14, naming each entity at fault, and changes nothing', async () => {
    const before = await configVersion(cp);
    const res = await admin(cp)
      .post('/config')
      .send({ config: '_format_version: "3.0"\nservices:\n  - name: bad\n    url: notaurl\n  - name: worse\n    host: x.internal\n    port: 99999\n' });
    expectStatus(res, 400);
    expect(res.body).toMatchObject({ code: 14, name: 'invalid declarative configuration' });
    expect(res.body.fields.errors).toEqual(
      expect.arrayContaining([expect.objectContaining({ entity: 'services', path: 'services[0]' }), expect.objectContaining({ entity: 'services', path: 'services[1]' })]),
    );
    expect(await configVersion(cp)).toBe(before);
    expect((await admin(cp).get('/consumers')).body.data).toHaveLength(1);
  });
});
