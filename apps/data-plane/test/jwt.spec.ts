/**
 * jwt against a real data plane and upstream; cases translated from Kong's
 * spec/03-plugins/16-jwt/03-access_spec.lua (each `it` named beside it).
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { RunningDataPlane } from '../src/data-plane';
import { basicauth, consumer, jwtSecret, plugin, route, service, snapshot } from './support/config-fixtures';
import { startEchoUpstream, type Echo, type EchoUpstream } from './support/echo-upstream';
import { signJwt } from './support/jwt-signer';
import { json, send, startTestDataPlane } from './support/test-data-plane';
import { hashFilePassword } from '@tollgate/plugins';

const now = () => Math.floor(Date.now() / 1000);
const pem = (key: KeyObject) => key.export({ type: 'spki', format: 'pem' }) as string;

describe('jwt', () => {
  let upstream: EchoUpstream;
  let dp: RunningDataPlane;
  const jwtUser = consumer('jwt_tests_consumer');
  const base64User = consumer('jwt_tests_base64_consumer');
  const anon = consumer('no-body');
  const basicUser = consumer('basic_user');
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keys: Record<string, { privateKey: KeyObject; publicKey: KeyObject }> = {
    RS: rsa,
    PS: rsa,
    ES256: generateKeyPairSync('ec', { namedCurve: 'P-256' }),
    ES384: generateKeyPairSync('ec', { namedCurve: 'P-384' }),
    ES512: generateKeyPairSync('ec', { namedCurve: 'P-521' }),
    EdDSA: generateKeyPairSync('ed25519'),
  };
  const asymmetric = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];
  const keyFor = (alg: string) => keys[alg] ?? keys[alg.slice(0, 2)]!;
  const secrets = {
    hs256: jwtSecret(jwtUser, 'hs256-key', { secret: 'hs256-secret' }),
    hs384: jwtSecret(jwtUser, 'hs384-key', { algorithm: 'HS384', secret: 'hs384-secret' }),
    hs512: jwtSecret(jwtUser, 'hs512-key', { algorithm: 'HS512', secret: 'hs512-secret' }),
    base64: jwtSecret(base64User, 'base64-key', { secret: Buffer.from('the raw secret bytes').toString('base64') }),
    ...Object.fromEntries(asymmetric.map((alg) => [alg, jwtSecret(jwtUser, `${alg}-key`, { algorithm: alg, rsa_public_key: pem(keyFor(alg).publicKey) })])),
  };
  const echo = service({ host: '127.0.0.1', port: 0 });
  const routes = {
    plain: route(echo, { paths: ['/plain'] }),
    preflight: route(echo, { paths: ['/preflight'] }),
    cookies: route(echo, { paths: ['/cookies'] }),
    custom: route(echo, { paths: ['/custom'] }),
    claims: route(echo, { paths: ['/claims'] }),
    maximum: route(echo, { paths: ['/maximum'] }),
    base64: route(echo, { paths: ['/base64'] }),
    kid: route(echo, { paths: ['/kid'] }),
    anonymous: route(echo, { paths: ['/anonymous'] }),
    anonymousByName: route(echo, { paths: ['/anonymous-by-name'] }),
    anonymousMissing: route(echo, { paths: ['/anonymous-missing'] }),
    and: route(echo, { paths: ['/logical-and'] }),
    or: route(echo, { paths: ['/logical-or'] }),
  };

  beforeAll(async () => {
    upstream = await startEchoUpstream();
    dp = await startTestDataPlane();
    const result = await dp.applySnapshot(
      snapshot({
        services: [{ ...echo, port: upstream.port }],
        routes: Object.values(routes),
        consumers: [jwtUser, base64User, anon, basicUser],
        jwt_secrets: Object.values(secrets),
        basicauth_credentials: [basicauth(basicUser, 'basic', hashFilePassword('pass'))],
        plugins: [
          plugin('jwt', {}, { route: routes.plain }),
          plugin('jwt', { run_on_preflight: false }, { route: routes.preflight }),
          plugin('jwt', { cookie_names: ['silly', 'crumble'] }, { route: routes.cookies }),
          plugin('jwt', { header_names: ['CustomAuthorization'], uri_param_names: ['token', 'jwt'], realm: 'shop' }, { route: routes.custom }),
          plugin('jwt', { claims_to_verify: ['exp', 'nbf'] }, { route: routes.claims }),
          plugin('jwt', { claims_to_verify: ['exp'], maximum_expiration: 300 }, { route: routes.maximum }),
          plugin('jwt', { secret_is_base64: true }, { route: routes.base64 }),
          plugin('jwt', { key_claim_name: 'kid' }, { route: routes.kid }),
          plugin('jwt', { anonymous: anon.id }, { route: routes.anonymous }),
          plugin('jwt', { anonymous: 'no-body' }, { route: routes.anonymousByName }),
          plugin('jwt', { anonymous: 'not-a-consumer' }, { route: routes.anonymousMissing }),
          plugin('jwt', {}, { route: routes.and }),
          plugin('basic-auth', {}, { route: routes.and }),
          plugin('jwt', { anonymous: anon.id }, { route: routes.or }),
          plugin('basic-auth', { anonymous: anon.id }, { route: routes.or }),
        ],
      }),
    );
    expect(result).toEqual({ ok: true });
  });

  afterAll(async () => {
    await dp.close();
    await upstream.close();
  });

  const get = (path: string, headers: Record<string, string> = {}, method = 'GET') => send(`${dp.proxyUrl}${path}`, { headers, method });
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const hs256 = (claims: Record<string, unknown>) => signJwt('HS256', claims, 'hs256-secret');
  const good = hs256({ iss: 'hs256-key' });
  const basic = `Basic ${Buffer.from('basic:pass').toString('base64')}`;

  const expectRefusal = async (path: string, headers: Record<string, string>, message: string, challenge = 'Bearer error="invalid_token"') => {
    const reply = await get(path, headers);
    expect([reply.status, json(reply), reply.headers['www-authenticate']]).toEqual([401, { message }, challenge]);
  };

  // refusals: "returns 401 Unauthorized if no JWT is found in the request"
  it('answers 401 Unauthorized with a bare Bearer challenge when no token is sent', async () => {
    await expectRefusal('/plain', {}, 'Unauthorized', 'Bearer');
  });

  // "returns 401 if the claims do not contain the key to identify a secret", "... a valid key ...",
  // "returns 401 Unauthorized if the iss does not match a credential", "... if the signature is invalid",
  // "... if the alg does not match the credential", "reject if multiple different tokens found"
  it("refuses tokens with Kong's messages", async () => {
    await expectRefusal('/plain', bearer(hs256({ name: 'x' })), "No mandatory 'iss' in claims");
    await expectRefusal('/plain', bearer(hs256({ iss: '' })), "Invalid 'iss' in claims");
    await expectRefusal('/plain', bearer(hs256({ iss: 'unknown-key' })), "No credentials found for given 'iss'");
    await expectRefusal('/plain', bearer(signJwt('HS256', { iss: 'hs256-key' }, 'not-the-secret')), 'Invalid signature');
    await expectRefusal('/plain', bearer(signJwt('HS512', { iss: 'hs256-key' }, 'hs256-secret')), 'Invalid algorithm');
    await expectRefusal('/plain?jwt=' + hs256({ iss: 'hs256-key', other: 1 }), bearer(good), 'Multiple tokens provided');
    await expectRefusal('/plain', bearer('not.a-token.at-all'), 'Bad token; invalid JSON');
    await expectRefusal('/plain', bearer(signJwt('none', { iss: 'hs256-key' }, 'x')), 'Bad token; invalid alg');
  });

  // "returns 200 on OPTIONS requests if run_on_preflight is false", "returns Unauthorized on OPTIONS requests if run_on_preflight is true"
  it('lets preflights through only when run_on_preflight is false', async () => {
    expect((await get('/preflight', {}, 'OPTIONS')).status).toBe(200);
    const refused = await get('/plain', {}, 'OPTIONS');
    expect([refused.status, refused.body, refused.headers['www-authenticate']]).toEqual([401, '{"message":"Unauthorized"}', 'Bearer']);
  });

  // "returns 401 if the token exceeds the maximum allowed expiration limit", "accepts a JWT token within the maximum allowed expiration limit"
  it('bounds the lifetime with maximum_expiration', async () => {
    const far = await get('/maximum', bearer(hs256({ iss: 'hs256-key', exp: now() + 3600 })));
    expect([far.status, far.body, far.headers['www-authenticate']]).toEqual([401, '{"exp":"exceeds maximum allowed expiration"}', 'Bearer error="invalid_token"']);
    expect((await get('/maximum', bearer(hs256({ iss: 'hs256-key', exp: now() + 200 })))).status).toBe(200);
  });

  // HS256 "proxies the request with token and consumer headers if it was verified"; HS384 (Kong's "HS386") and HS512 likewise
  it('verifies HS256, HS384 and HS512 tokens and tells the upstream who called', async () => {
    const reply = json<Echo>(await get('/plain', bearer(good)));
    expect(reply.headers).toMatchObject({ authorization: `Bearer ${good}`, 'x-consumer-username': 'jwt_tests_consumer', 'x-credential-identifier': 'hs256-key' });
    expect(reply.headers['x-anonymous-consumer']).toBeUndefined();
    for (const alg of ['HS384', 'HS512']) {
      const key = `${alg.toLowerCase()}-key`;
      const echoed = json<Echo>(await get('/plain', bearer(signJwt(alg, { iss: key }, `${alg.toLowerCase()}-secret`))));
      expect(echoed.headers['x-credential-identifier']).toBe(key);
    }
  });

  // RS256/RS384/RS512, ES384/ES512, PS256/PS384/PS512, EdDSA: "verifies JWT", "identifies Consumer"
  it('verifies RS, PS, ES and EdDSA tokens with the public key, and refuses another key', async () => {
    for (const alg of asymmetric) {
      const token = signJwt(alg, { iss: `${alg}-key` }, keyFor(alg).privateKey);
      const reply = await get('/plain', bearer(token));
      expect([alg, reply.status, json<Echo>(reply).headers['x-consumer-id']]).toEqual([alg, 200, jwtUser.id]);
    }
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    await expectRefusal('/plain', bearer(signJwt('ES256', { iss: 'ES256-key' }, other)), 'Invalid signature');
  });

  // "proxies the request if the key is found in headers", "proxies the request if secret key is stored in a field other than iss"
  it('finds the key in the token header too, and in the claim key_claim_name names', async () => {
    expect((await get('/plain', bearer(signJwt('HS256', { name: 'x' }, 'hs256-secret', { iss: 'hs256-key' })))).status).toBe(200);
    expect((await get('/kid', bearer(hs256({ kid: 'hs256-key' })))).status).toBe(200);
    await expectRefusal('/kid', bearer(good), "No mandatory 'kid' in claims");
  });

  // "proxies the request if secret is base64"
  it('decodes a base64 secret when secret_is_base64 is set', async () => {
    const token = signJwt('HS256', { iss: 'base64-key' }, Buffer.from('the raw secret bytes'));
    expect(json<Echo>(await get('/base64', bearer(token))).headers['x-consumer-username']).toBe('jwt_tests_base64_consumer');
    await expectRefusal('/plain', bearer(token), 'Invalid signature');
  });

  // "returns 200 the JWT is found in the cookie crumble", "... in the cookie silly", "returns 401 if the JWT found in the cookie
  // does not match a credential", "returns a 401 if the JWT in the cookie is corrupted", "reports a 200 without cookies but with
  // a JWT token in the Authorization header", "returns 401 if no JWT tokens are found in cookies or Authorization header"
  it('reads the token from the configured cookies', async () => {
    expect((await get('/cookies', { cookie: `crumble=${good}; path=/;domain=.kong.com` })).status).toBe(200);
    expect((await get('/cookies', { cookie: `silly=${good}; path=/;domain=.kong.com` })).status).toBe(200);
    await expectRefusal('/cookies', { cookie: `silly=${hs256({ iss: 'nope' })}` }, "No credentials found for given 'iss'");
    await expectRefusal('/cookies', { cookie: `silly=${good.slice(0, -4)}zzzz` }, 'Invalid signature');
    expect((await get('/cookies', bearer(good))).status).toBe(200);
    await expectRefusal('/cookies', { cookie: 'other=1' }, 'Unauthorized', 'Bearer');
  });

  // "returns 200 without cookies but with a JWT token in the CustomAuthorization header",
  // "finds the JWT if given in URL parameters", "finds the JWT if given in a custom URL parameter"
  it('reads the token from custom headers and URL parameters, and challenges with the realm', async () => {
    expect((await get('/custom', { customauthorization: `Bearer ${good}` })).status).toBe(200);
    expect((await get(`/plain?jwt=${good}`)).status).toBe(200);
    expect((await get(`/custom?token=${good}`)).status).toBe(200);
    await expectRefusal('/custom', bearer(good), 'Unauthorized', 'Bearer realm="shop"');
    await expectRefusal('/custom?token=x.y.z', {}, 'Bad token; invalid JSON', 'Bearer realm="shop", error="invalid_token"');
  });

  // JWT private claims checks: "requires the checked fields to be in the claims", "checks if the fields are valid: `exp` claim", "... `nbf` claim"
  it('verifies exp and nbf when asked', async () => {
    expect(json(await get('/claims', bearer(good)))).toEqual({ nbf: 'must be a number', exp: 'must be a number' });
    const expired = await get('/claims', bearer(hs256({ iss: 'hs256-key', exp: now() - 10, nbf: now() - 20 })));
    expect([expired.status, expired.body, expired.headers['www-authenticate']]).toEqual([401, '{"exp":"token expired"}', 'Bearer error="invalid_token"']);
    const early = await get('/claims', bearer(hs256({ iss: 'hs256-key', exp: now() + 60, nbf: now() + 30 })));
    expect([early.status, early.body]).toEqual([401, '{"nbf":"token not valid yet"}']);
    expect((await get('/claims', bearer(hs256({ iss: 'hs256-key', exp: now() + 60, nbf: now() - 1 })))).status).toBe(200);
  });

  // config.anonymous: "works with right credentials and anonymous", "works with wrong credentials and anonymous",
  // "works with wrong credentials and username in anonymous", "errors when anonymous user doesn't exist"
  it('runs as the anonymous consumer on failure, and 500s when it does not exist', async () => {
    expect(json<Echo>(await get('/anonymous', bearer(good))).headers['x-consumer-username']).toBe('jwt_tests_consumer');
    for (const path of ['/anonymous', '/anonymous-by-name']) {
      const wrong = json<Echo>(await get(path, bearer(hs256({ iss: 'nope' }))));
      expect(wrong.headers).toMatchObject({ 'x-anonymous-consumer': 'true', 'x-consumer-username': 'no-body' });
    }
    const missing = await get('/anonymous-missing');
    expect([missing.status, json(missing)]).toEqual([500, { message: "anonymous consumer not-a-consumer is configured but doesn't exist" }]);
  });

  // "multiple auth without anonymous, logical AND" and "multiple auth with anonymous, logical OR"
  it('combines with basic-auth as AND without anonymous and OR with it', async () => {
    expect((await get('/logical-and', { ...bearer(good), 'proxy-authorization': basic })).status).toBe(200);
    expect((await get('/logical-and', bearer(good))).status).toBe(401);
    expect((await get('/logical-and', { 'proxy-authorization': basic })).status).toBe(401);
    const id = async (headers: Record<string, string>) => json<Echo>(await get('/logical-or', headers)).headers['x-consumer-id'];
    expect(await id(bearer(good))).toBe(jwtUser.id);
    expect(await id({ authorization: basic })).toBe(basicUser.id);
    expect(await id({})).toBe(anon.id);
  });

  it('verifies a remembered token afresh once its secret changed in a new config', async () => {
    const token = hs256({ iss: 'hs256-key', n: 'remembered' });
    expect((await get('/plain', bearer(token))).status).toBe(200);
    expect((await get('/plain', bearer(token))).status).toBe(200);
    const rotated = { ...secrets.hs256, secret: 'rotated-secret' };
    const next = snapshot({ services: [{ ...echo, port: upstream.port }], routes: [routes.plain], consumers: [jwtUser], jwt_secrets: [rotated], plugins: [plugin('jwt', {}, { route: routes.plain })] });
    expect(await dp.applySnapshot(next)).toEqual({ ok: true });
    await expectRefusal('/plain', bearer(token), 'Invalid signature');
    expect((await get('/plain', bearer(signJwt('HS256', { iss: 'hs256-key' }, 'rotated-secret')))).status).toBe(200);
  });
});
