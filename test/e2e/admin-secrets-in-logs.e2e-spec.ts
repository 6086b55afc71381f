import {
  createTestSchema,
  deleteRedisKeys,
  freePort,
  startPlatformProcess,
  TEST_DATABASE_URL,
  testRedisPrefix,
  type PlatformProcess,
  type TestSchema,
} from '@tollgate/testing';
import { randomBytes } from 'node:crypto';

/** A real control plane process at trace level: its whole output is searched for every secret it was handed. */
describe('admin secrets never reach the logs', () => {
  let schema: TestSchema;
  let cp: PlatformProcess;
  let base: string;
  const boot = 'tgk_' + randomBytes(32).toString('base64url');

  beforeAll(async () => {
    schema = await createTestSchema('secrets_in_logs');
    const [adminPort, clusterPort] = [await freePort(), await freePort()];
    base = `http://127.0.0.1:${adminPort}`;
    cp = startPlatformProcess('control-plane', {
      DATABASE_URL: TEST_DATABASE_URL,
      TOLLGATE_DATABASE_SCHEMA: schema.name,
      TOLLGATE_ADMIN_LISTEN: `127.0.0.1:${adminPort}`,
      TOLLGATE_CLUSTER_LISTEN: `127.0.0.1:${clusterPort}`,
      TOLLGATE_CLUSTER_MTLS: 'off',
      TOLLGATE_USAGE_WORKER_CONCURRENCY: '0',
      TOLLGATE_REDIS_KEY_PREFIX: testRedisPrefix(schema.name),
      TOLLGATE_LOG_LEVEL: 'trace',
      TOLLGATE_ADMIN_BOOTSTRAP_TOKEN: boot,
    });
    for (let i = 0; i < 300; i++) {
      const up = await fetch(`${base}/status`, { headers: { authorization: `Bearer ${boot}` } }).then((r) => r.ok, () => false);
      if (up) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`control plane did not start:\n${cp.output()}`);
  }, 60_000);

  afterAll(async () => {
    await cp?.stop();
    if (schema) await deleteRedisKeys(testRedisPrefix(schema.name));
    await schema?.drop();
  });

  it('bootstrap, issued and refused tokens, credential keys and passwords appear nowhere in the output', async () => {
    const call = (method: string, path: string, token: string, body?: unknown) =>
      fetch(`${base}${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    const issued = (await (await call('POST', '/admin-tokens', boot, { name: 'ci', role: 'admin' })).json()) as { id: string; token: string };
    const wrong = 'tgk_' + randomBytes(32).toString('base64url');
    expect((await call('GET', '/services', wrong)).status).toBe(401);
    expect((await call('POST', '/consumers', issued.token, { username: 'carol' })).status).toBe(201);
    expect((await call('POST', '/consumers/carol/key-auth', issued.token, { key: 'key-auth-secret-value' })).status).toBe(201);
    expect((await call('POST', '/consumers/carol/basic-auth', issued.token, { username: 'carol', password: 'basic-auth-password' })).status).toBe(201);
    // A refused write echoes its fields back to the caller, never into the log.
    expect((await call('POST', '/consumers/carol/key-auth', issued.token, { key: 'key-auth-secret-value' })).status).toBe(409);
    expect((await call('DELETE', `/admin-tokens/${issued.id}`, boot)).status).toBe(204);
    expect((await call('GET', '/services', issued.token)).status).toBe(401);
    await cp.stop();

    const output = cp.output();
    expect(output).toMatch(/"level":\d+/); // it did log, at trace level
    for (const secret of [boot, issued.token, wrong, 'key-auth-secret-value', 'basic-auth-password']) expect(output).not.toContain(secret);
  }, 60_000);
});
