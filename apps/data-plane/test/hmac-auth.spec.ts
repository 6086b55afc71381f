/**
 * hmac-auth against a real data plane and upstream; cases translated from Kong's
 * spec/03-plugins/19-hmac-auth/03-access_spec.lua (each `it` named beside it).
 */
import { createHash, createHmac } from 'node:crypto';
import type { RunningDataPlane } from '../src/data-plane';
import { consumer, hmacauth, keyauth, plugin, route, service, snapshot } from './support/config-fixtures';
import { startEchoUpstream, type Echo, type EchoUpstream } from './support/echo-upstream';
import { json, send, startTestDataPlane } from './support/test-data-plane';

const SIGNATURE_NOT_VALID = 'HMAC signature cannot be verified';
const SIGNATURE_NOT_SAME = 'HMAC signature does not match';
const NO_DATE = 'HMAC signature cannot be verified, a valid date or x-date header is required for HMAC Authentication';

const httpDate = (offsetS = 0) => new Date(Date.now() + offsetS * 1000).toUTCString();
const sign = (alg: string, secret: string, text: string) => createHmac(alg, secret).update(text).digest('base64');
const header = (username: string, algorithm: string, headers: string, signature: string) =>
  `hmac username="${username}",algorithm="${algorithm}",headers="${headers}",signature="${signature}"`;

describe('hmac-auth', () => {
  let upstream: EchoUpstream;
  let dp: RunningDataPlane;
  const bob = consumer('bob');
  const anon = consumer('no-body');
  const mickey = consumer('Mickey');
  const echo = service({ host: '127.0.0.1', port: 0 });
  const r = (path: string) => route(echo, { paths: [path] });
  const routes = {
    realm: r('/realm'),
    plain: r('/plain'),
    body: r('/body'),
    enforced: r('/enforced'),
    algorithms: r('/algorithms'),
    anonymous: r('/anonymous'),
    anonymousMissing: r('/anonymous-missing'),
    hidden: r('/hidden'),
    and: r('/logical-and'),
    or: r('/logical-or'),
  };

  beforeAll(async () => {
    upstream = await startEchoUpstream();
    dp = await startTestDataPlane();
    const result = await dp.applySnapshot(
      snapshot({
        services: [{ ...echo, port: upstream.port }],
        routes: Object.values(routes),
        consumers: [bob, anon, mickey],
        hmacauth_credentials: [hmacauth(bob, 'bob', 'secret')],
        keyauth_credentials: [keyauth(mickey, 'Mouse')],
        plugins: [
          plugin('hmac-auth', { clock_skew: 3000, realm: 'test-realm' }, { route: routes.realm }),
          plugin('hmac-auth', { clock_skew: 3000 }, { route: routes.plain }),
          plugin('hmac-auth', { clock_skew: 3000, validate_request_body: true }, { route: routes.body }),
          plugin('hmac-auth', { clock_skew: 3000, enforce_headers: ['date', 'request-line'], validate_request_body: true }, { route: routes.enforced }),
          plugin('hmac-auth', { clock_skew: 3000, enforce_headers: ['date', 'request-line'], algorithms: ['hmac-sha1', 'hmac-sha256'] }, { route: routes.algorithms }),
          plugin('hmac-auth', { anonymous: 'no-body', clock_skew: 3000 }, { route: routes.anonymous }),
          plugin('hmac-auth', { anonymous: 'ghost' }, { route: routes.anonymousMissing }),
          plugin('hmac-auth', { hide_credentials: true }, { route: routes.hidden }),
          plugin('hmac-auth', {}, { route: routes.and }),
          plugin('key-auth', {}, { route: routes.and }),
          plugin('hmac-auth', { anonymous: anon.id }, { route: routes.or }),
          plugin('key-auth', { anonymous: anon.id }, { route: routes.or }),
        ],
      }),
    );
    expect(result).toEqual({ ok: true });
  });

  afterAll(async () => {
    await dp.close();
    await upstream.close();
  });

  const call = (path: string, headers: Record<string, string>, method = 'GET', body?: string) =>
    send(`${dp.proxyUrl}${path}`, { method, headers: body === undefined ? headers : { 'content-length': String(Buffer.byteLength(body)), ...headers }, body });
  const expectRefusal = async (path: string, headers: Record<string, string>, message: string, challenge = 'hmac realm="test-realm"') => {
    const reply = await call(path, headers);
    expect([reply.status, json(reply), reply.headers['www-authenticate']]).toEqual([401, { message }, challenge]);
  };
  /** bob's sha1 signature over the date alone. */
  const dateOnly = (date = httpDate()) => ({ date, authorization: header('bob', 'hmac-sha1', 'date', sign('sha1', 'secret', `date: ${date}`)) });

  // "should not be authorized when the hmac credentials are missing" (realm set), "should return a 401 with an invalid authorization header" (no realm)
  it('answers 401 Unauthorized with the hmac challenge when no credentials are sent', async () => {
    await expectRefusal('/realm', { date: httpDate() }, 'Unauthorized');
    const noRealm = await call('/plain', { date: httpDate(), 'proxy-authorization': 'this is no hmac token at all is it?' });
    expect([noRealm.status, noRealm.headers['www-authenticate']]).toEqual([401, 'hmac']);
  });

  // "should not be authorized when the HMAC signature is wrong", "... not properly base64 encoded", "... date header is missing",
  // "... with signature is wrong in proxy-authorization", "should not pass when passing only the digest", "... wrong hmac parameters",
  // "... passing only the username", "should not pass with username missing", "should not pass with signature missing"
  it("refuses malformed and wrong signatures with Kong's messages", async () => {
    const date = httpDate();
    await expectRefusal('/realm', { date, authorization: 'asd' }, SIGNATURE_NOT_VALID);
    await expectRefusal('/realm', { date, authorization: header('bob', 'hmac-sha1', 'date', 'not really a base64 encoded value!!!') }, SIGNATURE_NOT_SAME);
    await expectRefusal('/realm', { authorization: dateOnly().authorization }, NO_DATE);
    await expectRefusal('/realm', { date, 'proxy-authorization': 'asd' }, SIGNATURE_NOT_VALID);
    await expectRefusal('/realm', { date, 'proxy-authorization': 'hmac :dXNlcm5hbWU6cGFzc3dvcmQ=' }, SIGNATURE_NOT_VALID);
    await expectRefusal('/realm', { date, 'proxy-authorization': 'hmac username=,algorithm,headers,signature' }, SIGNATURE_NOT_VALID);
    await expectRefusal('/realm', { date, 'proxy-authorization': 'hmac username' }, SIGNATURE_NOT_VALID);
    await expectRefusal('/realm', { date, authorization: `hmac algorithm="hmac-sha1",headers="date",signature="${sign('sha1', 'secret', `date: ${date}`)}"` }, SIGNATURE_NOT_VALID);
    await expectRefusal('/realm', { date, authorization: 'hmac username="bob",algorithm="hmac-sha1",headers="date"' }, SIGNATURE_NOT_VALID);
    await expectRefusal('/realm', { date, authorization: header('bob', 'hmac-sha1', 'date', sign('sha1', 'wrong', `date: ${date}`)) }, SIGNATURE_NOT_SAME);
  });

  // "should pass with GET", "should pass with GET and proxy-authorization", "should pass with POST",
  // "should pass with GET and valid authorization and wrong proxy-authorization", "... invalid authorization and valid proxy-authorization"
  it('accepts a signature over the date from either header', async () => {
    expect((await call('/plain', dateOnly())).status).toBe(200);
    const { date, authorization } = dateOnly();
    expect((await call('/plain', { date, 'proxy-authorization': authorization })).status).toBe(200);
    expect((await call('/plain', dateOnly(), 'POST', '{}')).status).toBe(200);
    const wrongProxy = json<Echo>(await call('/plain', { date, 'proxy-authorization': 'hmac username', authorization }));
    expect(wrongProxy.headers.authorization).toBe(authorization);
    expect((await call('/plain', { date, 'proxy-authorization': authorization, authorization: 'hello' })).status).toBe(200);
  });

  // "should pass with GET with content-md5 header", "should pass with GET with request-line", "should pass with GET with @request-target",
  // "should pass the right headers to the upstream server"
  it('signs listed headers, request-line and @request-target, and tells the upstream who called', async () => {
    const date = httpDate();
    const md5 = header('bob', 'hmac-sha1', 'date content-md5', sign('sha1', 'secret', `date: ${date}\ncontent-md5: md5`));
    expect((await call('/plain', { date, 'content-md5': 'md5', authorization: md5 })).status).toBe(200);
    const line = sign('sha256', 'secret', `date: ${date}\ncontent-md5: md5\nGET /plain/request?a=1&b=%20 HTTP/1.1`);
    const signed = header('bob', 'hmac-sha256', 'date content-md5 request-line', line);
    const reply = json<Echo>(await call('/plain/request?a=1&b=%20', { date, 'content-md5': 'md5', 'proxy-authorization': signed, authorization: 'hello' }));
    expect(reply.headers).toMatchObject({ 'x-consumer-id': bob.id, 'x-consumer-username': 'bob', 'x-credential-identifier': 'bob' });
    expect(reply.headers['x-anonymous-consumer']).toBeUndefined();
    const target = header('bob', 'hmac-sha256', '@request-target date', sign('sha256', 'secret', `@request-target: get /plain/request\ndate: ${date}`));
    expect((await call('/plain/request', { date, authorization: target })).status).toBe(200);
  });

  // "should fail with GET with request-line having query param but signed without query param"
  it('refuses a request-line signature that left out the query', async () => {
    const date = httpDate();
    const signed = header('bob', 'hmac-sha1', 'date request-line', sign('sha1', 'secret', `date: ${date}\nGET /plain/request HTTP/1.1`));
    await expectRefusal('/plain/request?name=foo', { date, authorization: signed }, SIGNATURE_NOT_SAME, 'hmac');
  });

  // "should not pass with GET with wrong username in signature", "... wrong algorithm", "should pass with hmac-sha384/-sha512/-sha1",
  // "should not pass with hmac-sha512" (not among the algorithms), "should fail with GET when enforced header request-line missing"
  it('checks the username, the algorithm against the list, and the enforced headers', async () => {
    const date = httpDate();
    await expectRefusal('/plain', { date, authorization: header('dog', 'hmac-sha1', 'date', sign('sha1', 'secret', `date: ${date}`)) }, SIGNATURE_NOT_VALID, 'hmac');
    await expectRefusal('/plain', { date, authorization: header('bob', 'hmac-sha4096', 'date', 'x') }, SIGNATURE_NOT_VALID, 'hmac');
    for (const alg of ['sha1', 'sha256', 'sha384', 'sha512']) {
      expect([alg, (await call('/plain', { date, authorization: header('bob', `hmac-${alg}`, 'date', sign(alg, 'secret', `date: ${date}`)) })).status]).toEqual([alg, 200]);
    }
    const line = `date: ${date}\nGET /algorithms HTTP/1.1`;
    expect((await call('/algorithms', { date, authorization: header('bob', 'hmac-sha256', 'date request-line', sign('sha256', 'secret', line)) })).status).toBe(200);
    await expectRefusal('/algorithms', { date, authorization: header('bob', 'hmac-sha512', 'date request-line', sign('sha512', 'secret', line)) }, SIGNATURE_NOT_VALID, 'hmac');
    await expectRefusal('/algorithms', dateOnly(date), SIGNATURE_NOT_VALID, 'hmac');
  });

  // "should pass with GET with x-date header", "should not pass with GET with both date and x-date missing", "... x-date malformed",
  // "should pass with GET with x-date malformed but date correct", and a date outside the clock skew
  it('needs a Date or X-Date within the clock skew', async () => {
    const xdate = httpDate();
    expect((await call('/plain', { 'x-date': xdate, authorization: header('bob', 'hmac-sha1', 'x-date', sign('sha1', 'secret', `x-date: ${xdate}`)) })).status).toBe(200);
    await expectRefusal('/plain', { authorization: dateOnly().authorization }, NO_DATE, 'hmac');
    await expectRefusal('/plain', { 'x-date': 'wrong date', authorization: dateOnly().authorization }, NO_DATE, 'hmac');
    expect((await call('/plain', { 'x-date': 'wrong date', ...dateOnly() })).status).toBe(200);
    await expectRefusal('/plain', dateOnly(httpDate(-4000)), NO_DATE, 'hmac');
  });

  // validate_request_body: "should return 401 when body validation enabled and no digest header is present",
  // "should return 200 when body validation enabled and no body and no digest header is present",
  // "should pass with POST when body validation enabled and digest header present", "... but digest header not used",
  // "should not pass with POST when body validation enabled and postBody is tampered", "... digest header is tampered"
  it('checks the body against the Digest header when asked', async () => {
    const body = 'some body content';
    const digest = `SHA-256=${createHash('sha256').update(body).digest('base64')}`;
    const date = httpDate();
    const signedDigest = header('bob', 'hmac-sha256', 'date digest', sign('sha256', 'secret', `date: ${date}\ndigest: ${digest}`));
    expect((await call('/body', { date, digest, authorization: signedDigest }, 'POST', body)).status).toBe(200);
    expect((await call('/body', { ...dateOnly(date), digest }, 'POST', body)).status).toBe(200);
    const noDigest = await call('/body', dateOnly(date), 'POST', body);
    expect([noDigest.status, json(noDigest)]).toEqual([401, { message: SIGNATURE_NOT_SAME }]);
    expect((await call('/body', dateOnly(date))).status).toBe(200);
    expect((await call('/body', { date, digest, authorization: signedDigest }, 'POST', 'tampered body')).status).toBe(401);
    expect((await call('/body', { ...dateOnly(date), digest: 'SHA-256=tampered' }, 'POST', body)).status).toBe(401);
  });

  // "should pass with valid credentials and anonymous", "should pass with invalid credentials and username in anonymous",
  // "errors when anonymous user doesn't exist"
  it('runs as the anonymous consumer on failure, and 500s when it does not exist', async () => {
    expect(json<Echo>(await call('/anonymous', dateOnly())).headers['x-consumer-username']).toBe('bob');
    const wrong = json<Echo>(await call('/anonymous', { date: httpDate(), authorization: 'hmac nope' }));
    expect(wrong.headers).toMatchObject({ 'x-anonymous-consumer': 'true', 'x-consumer-username': 'no-body' });
    const missing = await call('/anonymous-missing', {});
    expect([missing.status, json(missing)]).toEqual([500, { message: "anonymous consumer ghost is configured but doesn't exist" }]);
  });

  it('hides the credential header from the upstream when asked', async () => {
    const reply = json<Echo>(await call('/hidden', dateOnly()));
    expect(reply.headers.authorization).toBeUndefined();
    expect(reply.headers['x-consumer-username']).toBe('bob');
  });

  // "multiple auth without anonymous, logical AND" and "multiple auth with anonymous, logical OR"
  it('combines with key-auth as AND without anonymous and OR with it', async () => {
    expect((await call('/logical-and', { ...dateOnly(), apikey: 'Mouse' })).status).toBe(200);
    expect((await call('/logical-and', dateOnly())).status).toBe(401);
    expect((await call('/logical-and', { apikey: 'Mouse' })).status).toBe(401);
    const id = async (headers: Record<string, string>) => json<Echo>(await call('/logical-or', headers)).headers['x-consumer-id'];
    expect(await id(dateOnly())).toBe(bob.id);
    expect(await id({ apikey: 'Mouse' })).toBe(mickey.id);
    expect(await id({})).toBe(anon.id);
  });
});
