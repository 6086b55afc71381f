import type { Request } from 'express';
import { DataSource } from 'typeorm';
import { IdempotencyKeys } from '../src/admin/idempotency/idempotency-keys';
import { keyScope, requestFingerprint } from '../src/admin/idempotency/request-fingerprint';
import { dataSourceOptions } from '../src/database/data-source-options';
import { IdempotencyKeys1764202300000 } from '../src/database/migrations/1764202300000-idempotency-keys';
import { bearer, bootstrapSecret, issueToken } from './access-support';
import { configVersion, countRows, startTestControlPlane, type TestControlPlane } from './admin-api';

/**
 * `Idempotency-Key` on POST, Stripe's semantics: a retried create answers the first answer again
 * and makes no twin; the key with another request is a 422; concurrent retries make one entity.
 */

interface Reply {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

const ROUNDS = 100;

describe('admin API: Idempotency-Key', () => {
  let cp: TestControlPlane;

  beforeAll(async () => {
    cp = await startTestControlPlane('idempotency');
  });

  afterAll(async () => {
    await cp.stop();
  });

  async function post(path: string, body: unknown, key?: string, headers: Record<string, string> = {}): Promise<Reply> {
    const res = await fetch(cp.adminUrl + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(key === undefined ? {} : { 'idempotency-key': key }), ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : {} };
  }

  describe('sequential retries', () => {
    it('the same key and body answer the first 201 again, with the same body, and create once', async () => {
      const before = await configVersion(cp);
      const first = await post('/services', { name: 'once', host: 'once.internal' }, 'key-once');
      expect(first.status).toBe(201);
      expect(first.headers.get('idempotent-replayed')).toBeNull();
      for (let retry = 0; retry < 3; retry++) {
        const again = await post('/services', { name: 'once', host: 'once.internal' }, 'key-once');
        expect(again.status).toBe(201);
        expect(again.body).toEqual(first.body);
        expect(again.headers.get('idempotent-replayed')).toBe('true');
        expect(again.headers.get('content-type')).toMatch(/^application\/json/);
      }
      expect(await countRows(cp, 'services', `name = 'once'`)).toBe(1);
      expect(await configVersion(cp)).toBe(before + 1);
    });

    it('key order and spacing of the JSON body do not make it another request', async () => {
      const first = await post('/consumers', { username: 'ordered', custom_id: 'c-ordered' }, 'key-ordered');
      const again = await post('/consumers', '{ "custom_id": "c-ordered",  "username": "ordered" }', 'key-ordered');
      expect(again.status).toBe(201);
      expect(again.body.id).toBe(first.body.id);
    });

    it('the same key with a different body is a 422 naming the first request, and creates nothing', async () => {
      expect((await post('/services', { name: 'first-body', host: 'a.internal' }, 'key-reused')).status).toBe(201);
      const other = await post('/services', { name: 'second-body', host: 'b.internal' }, 'key-reused');
      expect(other).toMatchObject({
        status: 422,
        body: {
          code: 113,
          name: 'idempotency key reused',
          message: "Idempotency-Key 'key-reused' was used in the last 24 hours for a different request (POST /services with other parameters): use a new key for a new request",
          fields: { 'Idempotency-Key': 'key-reused' },
        },
      });
      expect(await countRows(cp, 'services', `name = 'second-body'`)).toBe(0);
    });

    it('the same key and body on another path is a 422 too', async () => {
      expect((await post('/consumers', { username: 'pathed' }, 'key-pathed')).status).toBe(201);
      expect((await post('/consumers?x=1', { username: 'pathed' }, 'key-pathed')).status).toBe(422);
    });

    it('a refused request keeps nothing: the key can be retried with the corrected body', async () => {
      const refused = await post('/services', { name: 'fixed', port: 'not-a-port' }, 'key-fixed');
      expect(refused.status).toBe(400);
      expect((await post('/services', { name: 'fixed', port: 'not-a-port' }, 'key-fixed')).status).toBe(400);
      const fixed = await post('/services', { name: 'fixed', host: 'fixed.internal' }, 'key-fixed');
      expect(fixed.status).toBe(201);
      expect(fixed.headers.get('idempotent-replayed')).toBeNull();
    });

    it('a key is kept 24 hours: past that it is free for a new request, and the purge drops it', async () => {
      expect((await post('/consumers', { username: 'old-key' }, 'key-expiring')).status).toBe(201);
      await cp.schema.query(`UPDATE idempotency_keys SET created_at = now() - interval '23 hours 59 minutes' WHERE key = 'key-expiring'`);
      expect((await post('/consumers', { username: 'new-key' }, 'key-expiring')).status).toBe(422);
      await cp.schema.query(`UPDATE idempotency_keys SET created_at = now() - interval '24 hours 1 minute' WHERE key = 'key-expiring'`);
      const fresh = await post('/consumers', { username: 'new-key' }, 'key-expiring');
      expect(fresh.status).toBe(201);
      expect(fresh.headers.get('idempotent-replayed')).toBeNull();
      await cp.schema.query(`UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE key = 'key-expiring'`);
      expect(await cp.app.get(IdempotencyKeys).purgeExpired()).toBeGreaterThanOrEqual(1);
      expect(await countRows(cp, 'idempotency_keys', `key = 'key-expiring'`)).toBe(0);
    });

    it('an empty or overlong key is a 400; without the header, or on other methods, nothing changes', async () => {
      for (const key of ['', 'k'.repeat(256), 'a\tb']) {
        const reply = await post('/consumers', { username: 'bad-key' }, key);
        expect(reply).toMatchObject({ status: 400, body: { code: 112, name: 'invalid idempotency key' } });
      }
      expect(await countRows(cp, 'consumers', `username = 'bad-key'`)).toBe(0);
      expect((await post('/consumers', { username: 'no-key-1' })).status).toBe(201);
      const patched = await fetch(`${cp.adminUrl}/consumers/no-key-1`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json', 'idempotency-key': 'k-patch' },
        body: '{"custom_id":"p"}',
      });
      expect(patched.status).toBe(200);
      expect(await countRows(cp, 'idempotency_keys', `key = 'k-patch'`)).toBe(0);
    });
  });

  describe('concurrent retries', () => {
    it('five requests at once with one key make exactly one service and all get its 201, 100 rounds', async () => {
      for (let round = 0; round < ROUNDS; round++) {
        const body = { name: `concurrent-${round}`, host: 'c.internal' };
        const replies = await Promise.all(Array.from({ length: 5 }, () => post('/services', body, `key-concurrent-${round}`)));
        const statuses = replies.map((r) => `${r.status}${r.status >= 300 ? ' ' + JSON.stringify(r.body) : ''}`);
        expect(statuses).toEqual(['201', '201', '201', '201', '201']);
        expect(new Set(replies.map((r) => r.body.id)).size).toBe(1);
        expect(replies.filter((r) => r.headers.get('idempotent-replayed') === null)).toHaveLength(1);
        expect(await countRows(cp, 'services', 'name = $1', [body.name])).toBe(1);
      }
    });

    /** The row a first request with this key and body leaves while it runs (no token: the open loopback API). */
    async function inFlight(key: string, body: Record<string, unknown>, age = '0 seconds'): Promise<void> {
      const req = { method: 'POST', originalUrl: '/consumers', headers: {}, adminBody: { body, fromForm: false } } as unknown as Request;
      await cp.schema.query(`INSERT INTO idempotency_keys (scope, key, fingerprint, method, path, created_at) VALUES ($1, $2, $3, 'POST', '/consumers', now() - $4::interval)`, [
        keyScope(req),
        key,
        requestFingerprint(req),
        age,
      ]);
    }

    it('a retry while the first request runs waits for its answer and gets it', async () => {
      await inFlight('key-waiting', { username: 'waited' });
      setTimeout(() => {
        void cp.schema.query(`UPDATE idempotency_keys SET status = 201, content_type = 'application/json; charset=utf-8', response = '{"username":"waited","id":"x"}' WHERE key = 'key-waiting'`);
      }, 300);
      const reply = await post('/consumers', { username: 'waited' }, 'key-waiting');
      expect(reply).toMatchObject({ status: 201, body: { username: 'waited', id: 'x' } });
      expect(reply.headers.get('idempotent-replayed')).toBe('true');
      expect(await countRows(cp, 'consumers', `username = 'waited'`)).toBe(0);
    });

    it('a first request still running after 5 s makes the retry a 409 with Retry-After', async () => {
      await inFlight('key-slow', { username: 'slow' });
      const reply = await post('/consumers', { username: 'slow' }, 'key-slow');
      expect(reply).toMatchObject({
        status: 409,
        body: { code: 114, name: 'idempotency key in progress', message: "a request with Idempotency-Key 'key-slow' is still in progress: retry once it has finished" },
      });
      expect(reply.headers.get('retry-after')).toBe('1');
    });

    it('a first request that never finished (its control plane stopped) is a 409 saying so, at once, never a twin', async () => {
      await inFlight('key-abandoned', { username: 'abandoned' }, '10 minutes');
      const reply = await post('/consumers', { username: 'abandoned' }, 'key-abandoned');
      expect(reply.status).toBe(409);
      expect(reply.body.message).toMatch(/never finished .* check whether it took effect, then retry with a new key/);
      expect(await countRows(cp, 'consumers', `username = 'abandoned'`)).toBe(0);
    });

    it('concurrent requests with one key and different bodies: one 201, the others 422, one entity', async () => {
      for (let round = 0; round < 20; round++) {
        const replies = await Promise.all([0, 1, 2].map((i) => post('/consumers', { username: `diff-${round}-${i}` }, `key-diff-${round}`)));
        expect(replies.map((r) => r.status).sort()).toEqual([201, 422, 422]);
        expect(await countRows(cp, 'consumers', 'username LIKE $1', [`diff-${round}-%`])).toBe(1);
      }
    });
  });

  describe('with admin tokens', () => {
    let secured: TestControlPlane;
    let boot: string;

    beforeAll(async () => {
      boot = bootstrapSecret();
      secured = await startTestControlPlane('idempotency-tokens', { adminBootstrapToken: boot, usageWorkerConcurrency: 0, usageRollIntervalMs: 0 });
    });

    afterAll(async () => {
      await secured.stop();
    });

    async function postAs(token: string, body: unknown, key: string, header: 'authorization' | 'kong-admin-token' = 'authorization'): Promise<Reply> {
      const credential = header === 'authorization' ? bearer(token) : { 'kong-admin-token': token };
      const res = await fetch(`${secured.adminUrl}/consumers`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': key, ...credential },
        body: JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : {} };
    }

    it('a key belongs to its token: another token with the same key is not replayed; the same token is, however sent', async () => {
      const a = (await issueToken(secured, boot, { name: 'caller-a', role: 'admin' })).token;
      const b = (await issueToken(secured, boot, { name: 'caller-b', role: 'admin' })).token;
      const first = await postAs(a, { username: 'caller-a' }, 'shared-key');
      const other = await postAs(b, { username: 'caller-b' }, 'shared-key');
      expect([first.status, other.status]).toEqual([201, 201]);
      expect(other.body.username).toBe('caller-b');
      const again = await postAs(a, { username: 'caller-a' }, 'shared-key', 'kong-admin-token');
      expect(again.status).toBe(201);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(again.body.id).toBe(first.body.id);
    });

    it('a request without a valid token is refused before its key is looked at', async () => {
      const res = await fetch(`${secured.adminUrl}/consumers`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': 'no-token' },
        body: '{"username":"anonymous"}',
      });
      expect(res.status).toBe(401);
      expect(await countRows(secured, 'idempotency_keys', `key = 'no-token'`)).toBe(0);
    });
  });

  it('the OpenAPI document describes the header on every create', async () => {
    const doc = (await (await fetch(`${cp.adminUrl}/openapi.json`)).json()) as { paths: Record<string, { post?: { parameters?: { name: string }[]; responses: object } }> };
    for (const path of ['/services', '/consumers', '/services/{parent}/routes']) {
      expect(doc.paths[path]!.post!.parameters).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'Idempotency-Key', in: 'header' })]));
      expect(doc.paths[path]!.post!.responses).toHaveProperty('422');
    }
  });

  it('the migration is reversible: down drops the table, up brings it back', async () => {
    const db = new DataSource({ ...dataSourceOptions(cp.schema.databaseUrl, cp.schema.name), migrationsRun: false });
    await db.initialize();
    const runner = db.createQueryRunner();
    try {
      const migration = new IdempotencyKeys1764202300000();
      await migration.down(runner);
      expect(await cp.schema.query(`SELECT to_regclass('idempotency_keys') AS t`)).toEqual([{ t: null }]);
      await migration.up(runner);
      expect(await cp.schema.query(`SELECT to_regclass('idempotency_keys')::text AS t`)).toEqual([{ t: 'idempotency_keys' }]);
    } finally {
      await runner.release();
      await db.destroy();
    }
  });
});
