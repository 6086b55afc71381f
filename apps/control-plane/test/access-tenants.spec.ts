import { LatencyHistogram, parseUsageBatch, type UsageBatch } from '@tollgate/usage';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchApplier } from '../src/usage/batch-applier';
import { bearer, bootstrapSecret, issueToken } from './access-support';
import { KONG, admin, expectKongError, expectStatus, startTestControlPlane, type TestControlPlane } from './admin-api';

const MINUTE = Date.parse('2026-02-01T10:00:00Z');

function selfSigned(cn: string): { cert: string; key: string } {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-cert-'));
  try {
    const [certFile, keyFile] = [join(dir, 'c.pem'), join(dir, 'k.pem')];
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${cn}`, '-keyout', keyFile, '-out', certFile, '-days', '1'], { stdio: 'ignore' });
    return { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('access: provider tenants, two replicas', () => {
  let one: TestControlPlane;
  let two: TestControlPlane;
  const boot = bootstrapSecret();
  let tokenA: string;
  let tokenB: string;
  const a: Record<string, string> = {};

  beforeAll(async () => {
    one = await startTestControlPlane('access-tenants', { adminBootstrapToken: boot, usageWorkerConcurrency: 0 });
    two = await startTestControlPlane('access-tenants', { schema: one.schema, adminBootstrapToken: boot, usageWorkerConcurrency: 0 });
    for (const name of ['org-a', 'org-b']) expectStatus(await admin(one).post('/organizations').set(bearer(boot)).send({ name }), 201);
    tokenA = (await issueToken(one, boot, { name: 'provider-a', role: 'provider', organization: { name: 'org-a' } })).token;
    tokenB = (await issueToken(one, boot, { name: 'provider-b', role: 'provider', organization: { name: 'org-b' } })).token;

    // Provider A's estate, made through replica one without naming its organization.
    const as = (path: string, body: Record<string, unknown>) => admin(one).post(path).set(bearer(tokenA)).set('x-request-id', `req-${path.replace(/\W/g, '')}`).send(body);
    a.service = (await as('/services', { name: 'a-svc', host: 'a.internal' }).expect(201)).body.id;
    a.route = (await as('/services/a-svc/routes', { name: 'a-route', paths: ['/a'] }).expect(201)).body.id;
    a.plugin = (await as('/routes/a-route/plugins', { name: 'cors' }).expect(201)).body.id;
    a.upstream = (await as('/upstreams', { name: 'a-up' }).expect(201)).body.id;
    a.target = (await as('/upstreams/a-up/targets', { target: '10.0.0.1:80' }).expect(201)).body.id;
    a.certificate = (await as('/certificates', { ...selfSigned('a.example'), snis: ['a.example'] }).expect(201)).body.id;
    a.organization = (await admin(one).get('/organizations/org-a').set(bearer(boot))).body.id;
  });

  afterAll(async () => {
    await two?.stop();
    await one?.stop();
  });

  it("a provider's creations are its organization's without saying so", async () => {
    for (const path of [`/services/${a.service}`, `/routes/${a.route}`, `/plugins/${a.plugin}`, `/upstreams/${a.upstream}`, `/certificates/${a.certificate}`]) {
      const res = await admin(two).get(path).set(bearer(tokenA));
      expectStatus(res, 200);
      expect(res.body.organization).toEqual({ id: a.organization });
    }
    expectStatus(await admin(two).get('/upstreams/a-up/targets').set(bearer(tokenA)), 200);
    expectKongError(await admin(one).post('/services').set(bearer(tokenA)).send({ host: 'x.internal', organization: null }), KONG.SCHEMA_VIOLATION, {
      organization: "a provider's entities belong to its organization",
    });
  });

  it("provider B cannot read, list, change or delete provider A's entities: they are 404s, and stay as they were", async () => {
    const b = (m: 'get' | 'patch' | 'put' | 'delete', path: string) => admin(two)[m](path).set(bearer(tokenB));
    for (const path of [`/services/${a.service}`, '/services/a-svc', `/routes/${a.route}`, `/plugins/${a.plugin}`, `/upstreams/${a.upstream}`, `/certificates/${a.certificate}`, '/snis/a.example']) {
      expectKongError(await b('get', path), KONG.NOT_FOUND);
      expectKongError(await b('patch', path).send({ tags: ['mine'] }), KONG.NOT_FOUND);
    }
    expectKongError(await b('get', `/routes/${a.route}/service`), KONG.NOT_FOUND);
    expectKongError(await b('get', `/upstreams/a-up/targets/${a.target}`), KONG.NOT_FOUND);
    expectKongError(await b('get', '/services/a-svc/routes'), KONG.NOT_FOUND);
    expectKongError(await b('get', `/organizations/${a.organization}`), KONG.NOT_FOUND);
    for (const path of ['/services', '/routes', '/plugins', '/upstreams', '/certificates', '/snis', '/organizations']) {
      const listed = await b('get', path);
      expectStatus(listed, 200);
      expect(listed.body.data.filter((e: { id: string }) => Object.values(a).includes(e.id))).toEqual([]);
    }
    for (const path of [`/services/${a.service}`, `/routes/${a.route}`, `/plugins/${a.plugin}`, `/upstreams/${a.upstream}`, `/certificates/${a.certificate}`]) {
      expectStatus(await b('delete', path), 204);
    }
    expectKongError(await b('put', `/services/${a.service}`).send({ host: 'stolen.internal' }), KONG.NOT_FOUND);
    const still = await admin(one).get(`/services/${a.service}`).set(bearer(boot));
    expectStatus(still, 200);
    expect(still.body).toMatchObject({ host: 'a.internal', tags: null });
    for (const path of [`/routes/${a.route}`, `/plugins/${a.plugin}`, `/upstreams/${a.upstream}`, `/certificates/${a.certificate}`]) {
      expectStatus(await admin(one).get(path).set(bearer(boot)), 200);
    }
  });

  it("provider B cannot attach a route or plugin to provider A's entities", async () => {
    const b = (path: string, body: Record<string, unknown>) => admin(one).post(path).set(bearer(tokenB)).send(body);
    expectKongError(await b('/services/a-svc/plugins', { name: 'cors' }), KONG.NOT_FOUND);
    expectKongError(await b('/routes/a-route/plugins', { name: 'cors' }), KONG.NOT_FOUND);
    expectKongError(await b('/services/a-svc/routes', { paths: ['/b'] }), KONG.NOT_FOUND);
    expectKongError(await b('/plugins', { name: 'cors', service: { id: a.service } }), KONG.FOREIGN_KEY_VIOLATION);
    expectKongError(await b('/routes', { paths: ['/b'], service: { name: 'a-svc' } }), KONG.FOREIGN_KEY_VIOLATION);
    expectKongError(await b('/services', { host: 'b.internal', client_certificate: { id: a.certificate } }), KONG.FOREIGN_KEY_VIOLATION);
    expectKongError(await b('/services', { host: 'b.internal', organization: { id: a.organization } }), KONG.FOREIGN_KEY_VIOLATION);
    // A global plugin is the operator's alone.
    const global = await b('/plugins', { name: 'cors' });
    expectStatus(global, 403);
    expect(global.body).toEqual({ message: expect.stringMatching(/may not create a global plugin/) });
  });

  it("provider B cannot reach provider A's upstream through a service host, nor take A's service traffic with an upstream", async () => {
    expectKongError(await admin(one).post('/services').set(bearer(tokenB)).send({ host: 'a-up' }), KONG.SCHEMA_VIOLATION, {
      host: "names an upstream outside this provider's organization",
    });
    expectKongError(await admin(one).post('/upstreams').set(bearer(tokenB)).send({ name: 'a.internal' }), KONG.SCHEMA_VIOLATION, {
      name: "is the host of a service outside this provider's organization",
    });
    // Its own upstream is fine.
    expectStatus(await admin(one).post('/upstreams').set(bearer(tokenB)).send({ name: 'b-up' }), 201);
    expectStatus(await admin(one).post('/services').set(bearer(tokenB)).send({ name: 'b-svc', host: 'b-up' }), 201);
  });

  it("a provider's GET /analytics/usage sees only its services", async () => {
    const other = (await admin(one).post('/services').set(bearer(boot)).send({ name: 'operator-svc', host: 'op.internal' })).body.id;
    const h = new LatencyHistogram();
    h.record(5);
    const row = (service: string, count: number) => ({
      minute: MINUTE, service_id: service, route_id: null, consumer_id: null, status: 200, count,
      bytes_in: count, bytes_out: count, gateway_latency: h.toBase64(), upstream_latency: h.toBase64(),
    });
    const batch: UsageBatch = { format: 1, id: 'n1:boot:1', node_id: 'n1', boot_id: 'boot', seq: 1, region: 'default', flushed_at: Date.now(), rows: [row(a.service, 7), row(other, 11)] };
    await one.app.get(BatchApplier).apply(parseUsageBatch(JSON.parse(JSON.stringify(batch))));
    const query = '/analytics/usage?from=2026-02-01T00:00:00Z&to=2026-02-01T23:59:59Z&granularity=day&group_by=service';
    const total = (res: { body: { data: { requests: number }[] } }) => res.body.data.reduce((n, r) => n + r.requests, 0);
    expect(total(await admin(two).get(query).set(bearer(boot)))).toBe(18);
    const seenByA = await admin(two).get(query).set(bearer(tokenA));
    expectStatus(seenByA, 200);
    expect(seenByA.body.data.map((r: { service: { id: string } }) => r.service.id)).toEqual([a.service]);
    expect(total(seenByA)).toBe(7);
    const seenByB = await admin(two).get(`${query}&service=${a.service}`).set(bearer(tokenB));
    expectStatus(seenByB, 200);
    expect(seenByB.body.data).toEqual([]);
  });

  it("the audit log names actor and request id, and shows a provider its organization's rows only", async () => {
    const mine = await admin(two).get(`/audit-log?entity=services&entity_id=${a.service}`).set(bearer(tokenA));
    expectStatus(mine, 200);
    expect(mine.body.data).toEqual([
      expect.objectContaining({ entity: 'services', entity_id: a.service, operation: 'create', request_id: 'req-services', actor: { id: expect.any(String), name: 'provider-a' }, organization: { id: a.organization } }),
    ]);
    const seenByB = await admin(two).get('/audit-log?size=1000').set(bearer(tokenB));
    expectStatus(seenByB, 200);
    expect(seenByB.body.data.filter((r: { entity_id: string; organization: unknown }) => Object.values(a).includes(r.entity_id))).toEqual([]);
    expect(seenByB.body.data.every((r: { organization: { id: string } | null }) => r.organization !== null && r.organization.id !== a.organization)).toBe(true);
    const byActor = await admin(two).get('/audit-log?actor=bootstrap').set(bearer(boot));
    expect(byActor.body.data.map((r: { entity: string; operation: string }) => `${r.entity} ${r.operation}`)).toEqual(['admin_tokens create']);
  });

  it("an operator's write on a provider's target is in the provider's audit log; another provider's is not", async () => {
    const target = await admin(one).post('/upstreams/a-up/targets').set(bearer(boot)).send({ target: '10.0.0.2:80' });
    expectStatus(target, 201);
    const seenByA = await admin(two).get(`/audit-log?entity=targets&entity_id=${target.body.id}`).set(bearer(tokenA));
    expect(seenByA.body.data).toEqual([expect.objectContaining({ operation: 'create', actor: { id: expect.any(String), name: 'bootstrap-token' }, organization: { id: a.organization } })]);
    const seenByB = await admin(two).get(`/audit-log?entity=targets&entity_id=${target.body.id}`).set(bearer(tokenB));
    expect(seenByB.body.data).toEqual([]);
  });

  it('the audit log pages newest first by keyset and checks its filters', async () => {
    const first = await admin(one).get('/audit-log?size=2').set(bearer(boot));
    expectStatus(first, 200);
    expect(first.body.data).toHaveLength(2);
    expect(first.body.data[0].id).toBeGreaterThan(first.body.data[1].id);
    const second = await admin(one).get(first.body.next).set(bearer(boot));
    expect(second.body.data[0].id).toBeLessThan(first.body.data[1].id);
    const since = await admin(one).get(`/audit-log?from=${Math.floor(Date.now() / 1000) + 3600}`).set(bearer(boot));
    expect(since.body.data).toEqual([]);
    expectKongError(await admin(one).get('/audit-log?entity=nope').set(bearer(boot)), KONG.SCHEMA_VIOLATION, { entity: "no entity named 'nope'" });
    expectKongError(await admin(one).get('/audit-log?entity_id=42').set(bearer(boot)), KONG.SCHEMA_VIOLATION, { entity_id: 'expected a valid UUID' });
    expectKongError(await admin(one).get('/audit-log?from=yesterday').set(bearer(boot)), KONG.SCHEMA_VIOLATION, { from: 'expected an ISO 8601 time or Unix seconds' });
    expectKongError(await admin(one).get('/audit-log?offset=zzz').set(bearer(boot)), KONG.INVALID_OFFSET);
    expectKongError(await admin(one).get('/audit-log?colour=red').set(bearer(boot)), KONG.SCHEMA_VIOLATION);
  });

  it('a token revoked on one replica is refused by the other within a second', async () => {
    const { id, token } = await issueToken(one, boot, { name: 'short-lived', role: 'read-only' });
    expectStatus(await admin(two).get('/admin-tokens/me').set(bearer(token)), 200);
    expectStatus(await admin(one).delete(`/admin-tokens/${id}`).set(bearer(boot)), 204);
    const revokedAt = Date.now();
    expectStatus(await admin(one).get('/admin-tokens/me').set(bearer(token)), 401);
    let status = 200;
    while (status !== 401 && Date.now() - revokedAt < 1000) {
      status = (await admin(two).get('/admin-tokens/me').set(bearer(token))).status;
      if (status !== 401) await new Promise((r) => setTimeout(r, 20));
    }
    expect(status).toBe(401);
  });

  it('an expired token is refused like an unknown one', async () => {
    const { token } = await issueToken(one, boot, { name: 'expired', role: 'read-only', expires_at: Math.floor(Date.now() / 1000) - 1 });
    const res = await admin(two).get('/services').set(bearer(token));
    expectStatus(res, 401);
    expect(res.body).toEqual({ message: 'Invalid or expired admin token' });
  });

  it('a token secret is shown once, never in a GET, and never stored or audited', async () => {
    const created = await admin(one).post('/admin-tokens').set(bearer(boot)).send({ name: 'ci', role: 'operator', token_hash: 'chosen' });
    expectStatus(created, 201);
    const secret: string = created.body.token;
    expect(secret).toMatch(/^tgk_[A-Za-z0-9_-]{43}$/);
    for (const res of [await admin(two).get(`/admin-tokens/${created.body.id}`).set(bearer(boot)), await admin(two).get('/admin-tokens').set(bearer(boot))]) {
      expectStatus(res, 200);
      expect(res.text).not.toContain(secret);
      expect(res.text).not.toContain('token_hash');
    }
    const stored = await one.schema.query<{ dump: string }>(`SELECT (SELECT json_agg(t)::text FROM admin_tokens t) || (SELECT json_agg(l)::text FROM audit_log l) AS dump`);
    expect(stored[0]!.dump).not.toContain(secret);
    expect(stored[0]!.dump).not.toContain('chosen');
    const [row] = await one.schema.query<{ after: Record<string, unknown> }>(`SELECT after FROM audit_log WHERE entity_id = $1`, [created.body.id]);
    expect(row!.after).not.toHaveProperty('token');
    expect(row!.after).not.toHaveProperty('token_hash');
    // The secret works, and its role applies: an operator may not touch tokens.
    expectStatus(await admin(two).get('/services').set(bearer(secret)), 200);
    expectStatus(await admin(two).get('/admin-tokens').set(bearer(secret)), 403);
  });

  it('secrets of other entities are redacted in audit rows', async () => {
    const consumer = (await admin(one).post('/consumers').set(bearer(boot)).send({ username: 'carol' }).expect(201)).body.id;
    const key = await admin(one).post(`/consumers/${consumer}/key-auth`).set(bearer(boot)).send({ key: 'very-secret-key' });
    expectStatus(key, 201);
    const [row] = await one.schema.query<{ after: Record<string, unknown> }>(`SELECT after FROM audit_log WHERE entity_id = $1`, [key.body.id]);
    expect(row!.after.key).toBe('<redacted>');
    const [cert] = await one.schema.query<{ after: Record<string, unknown> }>(`SELECT after FROM audit_log WHERE entity_id = $1`, [a.certificate]);
    expect(cert!.after.key).toBe('<redacted>');
  });
});
