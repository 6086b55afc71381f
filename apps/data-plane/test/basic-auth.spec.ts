/**
 * basic-auth against a real data plane and upstream; cases translated from Kong's
 * spec/03-plugins/10-basic-auth/03-access_spec.lua (each `it` named beside it) and 04-invalidations_spec.lua.
 */
import { createHash, randomBytes, scryptSync } from 'node:crypto';
import { hashFilePassword } from '@tollgate/plugins';
import type { RunningDataPlane } from '../src/data-plane';
import { basicauth, consumer, keyauth, plugin, route, service, snapshot } from './support/config-fixtures';
import { startEchoUpstream, type Echo, type EchoUpstream } from './support/echo-upstream';
import { json, send, startTestDataPlane } from './support/test-data-plane';

/** The control plane's stored form (apps/control-plane/src/entities/entity-secrets.ts), at a lower cost to keep the suite fast. */
function scryptHash(password: string): string {
  const salt = randomBytes(16);
  const hash = scryptSync(password, salt, 32, { N: 1024, r: 8, p: 1 });
  return `scrypt$1024$8$1$${salt.toString('base64')}$${hash.toString('base64')}`;
}

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('basic-auth', () => {
  let upstream: EchoUpstream;
  let dp: RunningDataPlane;
  const bob = consumer('bob');
  const anon = consumer('no-body');
  const mickey = consumer('Mickey');
  const aladdin = consumer('Aladdin');
  const bobCred = basicauth(bob, 'bob', scryptHash('kong'));
  const user123 = basicauth(bob, 'user123', scryptHash('password123'));
  const user321 = basicauth(bob, 'user321', scryptHash('password:123'));
  const fromFile = basicauth(bob, 'file-user', hashFilePassword('from-file'));
  // A Kong export keeps Kong's own sha1(password .. consumer id).
  const fromKong = basicauth(bob, 'kong-user', createHash('sha1').update(`kong-pass${bob.id}`).digest('hex'));
  const aladdinCred = basicauth(aladdin, 'Aladdin', scryptHash('OpenSesame'));
  const echo = service({ host: '127.0.0.1', port: 0 });
  const routes = {
    realm: route(echo, { paths: ['/realm'] }),
    plain: route(echo, { paths: ['/plain'] }),
    hidden: route(echo, { paths: ['/hidden'] }),
    anonymous: route(echo, { paths: ['/anonymous'] }),
    anonymousMissing: route(echo, { paths: ['/anonymous-missing'] }),
    anonymousByName: route(echo, { paths: ['/anonymous-by-name'] }),
    and: route(echo, { paths: ['/logical-and'] }),
    or: route(echo, { paths: ['/logical-or'] }),
  };
  const entities = () => ({
    services: [{ ...echo, port: upstream.port }],
    routes: Object.values(routes),
    consumers: [bob, anon, mickey, aladdin],
    basicauth_credentials: [bobCred, user123, user321, fromFile, fromKong, aladdinCred],
    keyauth_credentials: [keyauth(mickey, 'Mouse')],
    plugins: [
      plugin('basic-auth', { realm: 'test-realm' }, { route: routes.realm }),
      plugin('basic-auth', {}, { route: routes.plain }),
      plugin('basic-auth', { hide_credentials: true }, { route: routes.hidden }),
      plugin('basic-auth', { anonymous: anon.id }, { route: routes.anonymous }),
      plugin('basic-auth', { anonymous: 'a-missing-consumer' }, { route: routes.anonymousMissing }),
      plugin('basic-auth', { anonymous: 'no-body' }, { route: routes.anonymousByName }),
      plugin('basic-auth', {}, { route: routes.and }),
      plugin('key-auth', {}, { route: routes.and }),
      plugin('basic-auth', { anonymous: anon.id }, { route: routes.or }),
      plugin('key-auth', { anonymous: anon.id }, { route: routes.or }),
    ],
  });

  beforeAll(async () => {
    upstream = await startEchoUpstream();
    dp = await startTestDataPlane();
    expect(await dp.applySnapshot(snapshot(entities()))).toEqual({ ok: true });
  });

  afterAll(async () => {
    await dp.close();
    await upstream.close();
  });

  const get = (path: string, headers: Record<string, string> = {}) => send(`${dp.proxyUrl}${path}`, { headers });

  // 03-access_spec "returns Unauthorized on missing credentials" (realm configured, then default)
  it('answers 401 Unauthorized with the realm when no credentials are sent', async () => {
    const configured = await get('/realm');
    expect(configured.status).toBe(401);
    expect(json(configured)).toEqual({ message: 'Unauthorized' });
    expect(configured.headers['www-authenticate']).toBe('Basic realm="test-realm"');
    expect((await get('/plain')).headers['www-authenticate']).toBe('Basic realm="service"');
  });

  // "returns 401 Unauthorized on invalid credentials in Authorization" / "in Proxy-Authorization",
  // "on password only", "on username only", "returns 401 for valid Base64 encoding"
  it('answers 401 for malformed, partial and wrong credentials', async () => {
    const cases: Record<string, string>[] = [
      { authorization: 'foobar' },
      { 'proxy-authorization': 'foobar' },
      { authorization: 'Basic a29uZw==' },
      { authorization: 'Basic Ym9i' },
      { authorization: 'Basic adXNlcjEyMzpwYXNzd29yZDEyMw==' },
      { authorization: basic('bob', 'wrong') },
      { authorization: basic('nobody', 'kong') },
    ];
    for (const headers of cases) {
      const reply = await get('/realm', headers);
      expect([headers, reply.status, json(reply)]).toEqual([headers, 401, { message: 'Unauthorized' }]);
      expect(reply.headers['www-authenticate']).toBe('Basic realm="test-realm"');
    }
  });

  // "authenticates valid credentials in Authorization" (twice), "authenticates with a password containing ':'",
  // "authenticates valid credentials in Proxy-Authorization", "sends Consumer headers to upstream"
  it('accepts valid credentials from either header and tells the upstream who called', async () => {
    expect((await get('/plain', { authorization: 'Basic Ym9iOmtvbmc=' })).status).toBe(200);
    const user = json<Echo>(await get('/plain', { authorization: 'Basic dXNlcjEyMzpwYXNzd29yZDEyMw==' }));
    expect(user.headers).toMatchObject({ 'x-consumer-username': 'bob', 'x-credential-identifier': 'user123', 'x-consumer-id': bob.id });
    const colon = json<Echo>(await get('/plain', { authorization: 'Basic dXNlcjMyMTpwYXNzd29yZDoxMjM=' }));
    expect(colon.headers['x-credential-identifier']).toBe('user321');
    const proxy = json<Echo>(await get('/plain', { 'proxy-authorization': 'Basic Ym9iOmtvbmc=' }));
    expect(proxy.headers).toMatchObject({ 'x-consumer-username': 'bob', 'x-credential-identifier': 'bob' });
    expect(proxy.headers['x-anonymous-consumer']).toBeUndefined();
  });

  it('verifies the same password again from memory, and a wrong one still fails', async () => {
    for (let i = 0; i < 3; i++) expect((await get('/plain', { authorization: basic('user123', 'password123') })).status).toBe(200);
    expect((await get('/plain', { authorization: basic('user123', 'password1234') })).status).toBe(401);
  });

  it("verifies a declarative file's password and a Kong-exported sha1 hash", async () => {
    expect(json<Echo>(await get('/plain', { authorization: basic('file-user', 'from-file') })).headers['x-credential-identifier']).toBe('file-user');
    expect((await get('/plain', { authorization: basic('file-user', 'other') })).status).toBe(401);
    expect(json<Echo>(await get('/plain', { authorization: basic('kong-user', 'kong-pass') })).headers['x-consumer-username']).toBe('bob');
    expect((await get('/plain', { authorization: basic('kong-user', 'kong') })).status).toBe(401);
  });

  // config.hide_credentials "false sends key to upstream" / "true doesn't send key to upstream"
  it('hides the credentials from the upstream when asked', async () => {
    expect(json<Echo>(await get('/plain', { authorization: 'Basic Ym9iOmtvbmc=' })).headers.authorization).toBe('Basic Ym9iOmtvbmc=');
    const hidden = json<Echo>(await get('/hidden', { authorization: 'Basic Ym9iOmtvbmc=' }));
    expect(hidden.headers.authorization).toBeUndefined();
    expect(hidden.headers['x-consumer-username']).toBe('bob');
    expect(json<Echo>(await get('/hidden', { 'proxy-authorization': 'Basic Ym9iOmtvbmc=' })).headers['proxy-authorization']).toBeUndefined();
  });

  // config.anonymous "works with right credentials and anonymous", "works with wrong credentials and anonymous",
  // "works with wrong credentials and username in anonymous", "errors when anonymous user doesn't exist"
  it('runs as the anonymous consumer on failure, by id or username, and 500s when it does not exist', async () => {
    const right = json<Echo>(await get('/anonymous', { authorization: 'Basic dXNlcjEyMzpwYXNzd29yZDEyMw==' }));
    expect(right.headers).toMatchObject({ 'x-consumer-username': 'bob', 'x-credential-identifier': 'user123' });
    for (const path of ['/anonymous', '/anonymous-by-name']) {
      const wrong = json<Echo>(await get(path));
      expect(wrong.headers).toMatchObject({ 'x-anonymous-consumer': 'true', 'x-consumer-username': 'no-body' });
      expect(wrong.headers['x-credential-identifier']).toBeUndefined();
    }
    const missing = await get('/anonymous-missing');
    expect(missing.status).toBe(500);
    expect(json(missing)).toEqual({ message: "anonymous consumer a-missing-consumer is configured but doesn't exist" });
  });

  // "multiple auth without anonymous, logical AND": passes with all, fails 401 with only the first, the second, or none
  it('needs every credential when several auth plugins run without anonymous', async () => {
    const both = json<Echo>(await get('/logical-and', { apikey: 'Mouse', authorization: basic('Aladdin', 'OpenSesame') }));
    expect(both.headers['x-consumer-id']).toBe(aladdin.id);
    expect((await get('/logical-and', { apikey: 'Mouse' })).status).toBe(401);
    const second = await get('/logical-and', { authorization: basic('Aladdin', 'OpenSesame') });
    expect(second.status).toBe(401);
    expect(second.headers['www-authenticate']).toMatch(/^Key/);
    expect((await get('/logical-and')).status).toBe(401);
  });

  // "multiple auth with anonymous, logical OR": all, only the first, only the second, none
  it('needs any one credential when several auth plugins run with anonymous', async () => {
    const id = async (headers: Record<string, string>) => json<Echo>(await get('/logical-or', headers)).headers['x-consumer-id'];
    expect([mickey.id, aladdin.id]).toContain(await id({ apikey: 'Mouse', authorization: basic('Aladdin', 'OpenSesame') }));
    expect(await id({ apikey: 'Mouse' })).toBe(mickey.id);
    expect(await id({ authorization: basic('Aladdin', 'OpenSesame') })).toBe(aladdin.id);
    expect(await id({})).toBe(anon.id);
  });

  // 04-invalidations_spec "invalidated credentials from cache when updated" / "invalidates credentials from cache when deleted"
  it('takes a changed password and a deleted credential from the next config on', async () => {
    const next = entities();
    const changed = { ...bobCred, password: scryptHash('new-pass') };
    expect(await dp.applySnapshot(snapshot({ ...next, basicauth_credentials: [changed] }))).toEqual({ ok: true });
    expect((await get('/plain', { authorization: basic('bob', 'kong') })).status).toBe(401);
    expect((await get('/plain', { authorization: basic('bob', 'new-pass') })).status).toBe(200);
    expect((await get('/plain', { authorization: basic('user123', 'password123') })).status).toBe(401);
    expect(await dp.applySnapshot(snapshot(entities()))).toEqual({ ok: true });
  });
});
