import {
  KONG,
  UUID,
  admin,
  auditFor,
  changesAt,
  configVersion,
  countRows,
  expectKongError,
  expectStatus,
  form,
  startTestControlPlane,
  type TestControlPlane,
} from './admin-api';

describe('admin API: consumers and credentials', () => {
  let cp: TestControlPlane;

  beforeAll(async () => {
    cp = await startTestControlPlane('consumers-credentials');
  });

  afterAll(async () => {
    await cp.stop();
  });

  async function consumer(username: string): Promise<string> {
    const res = await admin(cp).post('/consumers').send({ username });
    expectStatus(res, 201);
    return res.body.id;
  }

  describe('consumers', () => {
    it('POST creates a consumer by username, by custom_id, or both', async () => {
      const res = await admin(cp).post('/consumers').type('form').send(form({ username: 'alice', custom_id: 'crm-1' }));
      expectStatus(res, 201);
      expect(res.body).toEqual({
        id: expect.stringMatching(UUID),
        created_at: expect.any(Number),
        updated_at: expect.any(Number),
        username: 'alice',
        custom_id: 'crm-1',
        tags: null,
      });
      const onlyCustom = await admin(cp).post('/consumers').send({ custom_id: 'crm-2' });
      expectStatus(onlyCustom, 201);
      expect(onlyCustom.body).toMatchObject({ username: null, custom_id: 'crm-2' });
    });

    it('refuses a consumer with neither username nor custom_id', async () => {
      expectKongError(await admin(cp).post('/consumers').send({ tags: ['x'] }), KONG.SCHEMA_VIOLATION, {
        '@entity': ["at least one of these fields must be non-empty: 'custom_id', 'username'"],
      });
    });

    it('refuses a duplicate username or custom_id with 409, naming the field and value', async () => {
      expectKongError(await admin(cp).post('/consumers').send({ username: 'alice' }), KONG.UNIQUE_VIOLATION, { username: 'alice' }, `UNIQUE violation detected on '{username="alice"}'`);
      expectKongError(await admin(cp).post('/consumers').send({ custom_id: 'crm-1' }), KONG.UNIQUE_VIOLATION, { custom_id: 'crm-1' }, `UNIQUE violation detected on '{custom_id="crm-1"}'`);
    });

    it('GET finds a consumer by id and by username', async () => {
      const byName = await admin(cp).get('/consumers/alice');
      expectStatus(byName, 200);
      const byId = await admin(cp).get(`/consumers/${byName.body.id}`);
      expect(byId.body).toEqual(byName.body);
      expectKongError(await admin(cp).get('/consumers/nobody'), KONG.NOT_FOUND, { username: 'nobody' });
    });

    it('PATCH, PUT and DELETE by username', async () => {
      await consumer('patchy');
      const patched = await admin(cp).patch('/consumers/patchy').send({ custom_id: 'crm-patchy' });
      expectStatus(patched, 200);
      expect(patched.body).toMatchObject({ username: 'patchy', custom_id: 'crm-patchy' });

      const put = await admin(cp).put('/consumers/putty').send({ custom_id: 'crm-putty' });
      expectStatus(put, 200);
      expect(put.body).toMatchObject({ username: 'putty', custom_id: 'crm-putty' });
      const replaced = await admin(cp).put('/consumers/putty').send({});
      expectStatus(replaced, 200);
      expect(replaced.body).toMatchObject({ id: put.body.id, username: 'putty', custom_id: null });

      await admin(cp).delete('/consumers/putty').expect(204);
      await admin(cp).get('/consumers/putty').expect(404);
    });
  });

  describe('key-auth', () => {
    let bobId: string;

    beforeAll(async () => {
      bobId = await consumer('bob');
      await consumer('carol');
    });

    it('POST /consumers/{c}/key-auth without a key generates one', async () => {
      const res = await admin(cp).post('/consumers/bob/key-auth');
      expectStatus(res, 201);
      expect(res.body).toEqual({
        id: expect.stringMatching(UUID),
        created_at: expect.any(Number),
        updated_at: expect.any(Number),
        consumer: { id: bobId },
        key: expect.stringMatching(/^[0-9a-f]{32}$/),
        ttl: null,
        tags: null,
      });
      const [row] = await cp.schema.query('SELECT key, consumer_id::text FROM keyauth_credentials WHERE id = $1', [res.body.id]);
      expect(row).toEqual({ key: res.body.key, consumer_id: bobId });
    });

    it('looks a credential up by key and by id, top level and nested', async () => {
      const created = await admin(cp).post('/consumers/bob/key-auth').type('form').send(form({ key: 'bob-secret-key', ttl: '3600' }));
      expectStatus(created, 201);
      expect(created.body).toMatchObject({ key: 'bob-secret-key', ttl: 3600 });

      for (const path of ['/key-auths/bob-secret-key', `/key-auths/${created.body.id}`, '/consumers/bob/key-auth/bob-secret-key', `/consumers/${bobId}/key-auth/${created.body.id}`]) {
        const res = await admin(cp).get(path);
        expectStatus(res, 200);
        expect(res.body).toEqual(created.body);
      }
      expectKongError(await admin(cp).get('/consumers/carol/key-auth/bob-secret-key'), KONG.NOT_FOUND);
      expectKongError(await admin(cp).get('/key-auths/no-such-key'), KONG.NOT_FOUND, { key: 'no-such-key' });
    });

    it('lists a consumer’s keys under it and every key at /key-auths', async () => {
      const nested = await admin(cp).get('/consumers/bob/key-auth');
      expectStatus(nested, 200);
      expect(nested.body.data).toHaveLength(2);
      expect(nested.body.data.every((k: { consumer: { id: string } }) => k.consumer.id === bobId)).toBe(true);
      const top = await admin(cp).get('/key-auths');
      expect(top.body.data.length).toBeGreaterThanOrEqual(2);
    });

    it('refuses a duplicate key with 409', async () => {
      expectKongError(await admin(cp).post('/consumers/carol/key-auth').send({ key: 'bob-secret-key' }), KONG.UNIQUE_VIOLATION, { key: 'bob-secret-key' });
    });

    it('POST /key-auths takes the consumer by id or username; an unknown consumer is a foreign key violation', async () => {
      const byId = await admin(cp).post('/key-auths').send({ consumer: { id: bobId }, key: 'top-level-key' });
      expectStatus(byId, 201);
      expect(byId.body.consumer).toEqual({ id: bobId });
      const byName = await admin(cp).post('/key-auths').send({ consumer: { name: 'carol' } });
      expectStatus(byName, 201);

      const missing = '3c0f8a4e-0000-4000-8000-000000000000';
      expectKongError(await admin(cp).post('/key-auths').send({ consumer: { id: missing } }), KONG.FOREIGN_KEY_VIOLATION, { consumer: { id: missing } });
      expectKongError(await admin(cp).post('/key-auths').send({ key: 'orphan' }), KONG.SCHEMA_VIOLATION, { consumer: 'required field missing' });
      expectKongError(await admin(cp).post('/consumers/nobody/key-auth'), KONG.NOT_FOUND, { username: 'nobody' });
    });

    it('PATCH /key-auths/{key} changes the key; DELETE under the owner removes it', async () => {
      const created = await admin(cp).post('/consumers/carol/key-auth').send({ key: 'carol-old' }).expect(201);
      const patched = await admin(cp).patch('/key-auths/carol-old').send({ key: 'carol-new' });
      expectStatus(patched, 200);
      expect(patched.body).toMatchObject({ id: created.body.id, key: 'carol-new' });

      // Kong (delete_entity_endpoint): a nested DELETE of a child that is not the parent's is 404.
      await admin(cp).delete('/consumers/bob/key-auth/carol-new').expect(404);
      expect(await countRows(cp, 'keyauth_credentials', 'id = $1', [created.body.id])).toBe(1);
      await admin(cp).delete('/consumers/carol/key-auth/carol-new').expect(204);
      expect(await countRows(cp, 'keyauth_credentials', 'id = $1', [created.body.id])).toBe(0);
    });

    it('redacts the key in the audit log', async () => {
      const created = await admin(cp).post('/consumers/carol/key-auth').send({ key: 'audited-key' }).expect(201);
      const [audit] = await auditFor(cp, created.body.id);
      expect(audit!.after).toMatchObject({ key: '<redacted>', consumer: { id: expect.any(String) } });
      expect(JSON.stringify(audit)).not.toContain('audited-key');
    });
  });

  describe('basic-auth', () => {
    beforeAll(async () => {
      await consumer('dave');
    });

    it('stores the password hashed and never returns it', async () => {
      const res = await admin(cp).post('/consumers/dave/basic-auth').type('form').send(form({ username: 'dave-login', password: 'hunter2-plain' }));
      expectStatus(res, 201);
      expect(res.body).toEqual({
        id: expect.stringMatching(UUID),
        created_at: expect.any(Number),
        updated_at: expect.any(Number),
        consumer: { id: expect.any(String) },
        username: 'dave-login',
        tags: null,
      });
      const [row] = await cp.schema.query<{ password: string }>('SELECT password FROM basicauth_credentials WHERE id = $1', [res.body.id]);
      expect(row!.password).toMatch(/^scrypt\$/);
      expect(row!.password).not.toContain('hunter2-plain');

      for (const path of ['/basic-auths/dave-login', `/basic-auths/${res.body.id}`, '/consumers/dave/basic-auth/dave-login', '/basic-auths', '/consumers/dave/basic-auth', '/config']) {
        const read = await admin(cp).get(path);
        expectStatus(read, 200);
        expect(read.text).not.toContain('hunter2-plain');
        expect(read.text).not.toContain(row!.password);
        expect(read.text).not.toContain('"password"');
      }
      const [audit] = await auditFor(cp, res.body.id);
      expect(JSON.stringify(audit)).not.toContain('hunter2-plain');
      expect(JSON.stringify(audit)).not.toContain(row!.password);
    });

    it('PATCH keeps the stored hash unless a new password is sent, which is hashed afresh', async () => {
      const created = await admin(cp).post('/consumers/dave/basic-auth').send({ username: 'dave-2', password: 'first-pass' }).expect(201);
      const hash = async () => (await cp.schema.query<{ password: string }>('SELECT password FROM basicauth_credentials WHERE id = $1', [created.body.id]))[0]!.password;
      const first = await hash();

      const renamed = await admin(cp).patch('/basic-auths/dave-2').send({ username: 'dave-3' });
      expectStatus(renamed, 200);
      expect(renamed.body).not.toHaveProperty('password');
      expect(await hash()).toBe(first);

      await admin(cp).patch('/basic-auths/dave-3').send({ password: 'second-pass' }).expect(200);
      const second = await hash();
      expect(second).not.toBe(first);
      expect(second).toMatch(/^scrypt\$/);
      expect(second).not.toContain('second-pass');
    });

    it('PUT /consumers/{c}/basic-auth/{username} creates, then replaces with a new hash', async () => {
      const created = await admin(cp).put('/consumers/dave/basic-auth/dave-put').send({ password: 'put-one' });
      expectStatus(created, 200);
      expect(created.body).toMatchObject({ username: 'dave-put' });
      const replaced = await admin(cp).put('/consumers/dave/basic-auth/dave-put').send({ password: 'put-two' });
      expectStatus(replaced, 200);
      expect(replaced.body.id).toBe(created.body.id);
      expect(replaced.body).not.toHaveProperty('password');
    });

    it('refuses a credential without a password, and a duplicate username', async () => {
      expectKongError(await admin(cp).post('/consumers/dave/basic-auth').send({ username: 'no-pass' }), KONG.SCHEMA_VIOLATION, { password: 'required field missing' });
      expectKongError(await admin(cp).post('/consumers/dave/basic-auth').send({ username: 'dave-login', password: 'x' }), KONG.UNIQUE_VIOLATION, { username: 'dave-login' });
    });
  });

  describe('jwt', () => {
    beforeAll(async () => {
      await consumer('erin');
    });

    it('POST /consumers/{c}/jwt generates key and secret, HS256 by default', async () => {
      const res = await admin(cp).post('/consumers/erin/jwt');
      expectStatus(res, 201);
      expect(res.body).toMatchObject({ key: expect.stringMatching(/^[0-9a-f]{32}$/), secret: expect.stringMatching(/^[0-9a-f]{32}$/), algorithm: 'HS256', rsa_public_key: null });
      expect(res.body.key).not.toBe(res.body.secret);
      const byKey = await admin(cp).get(`/jwts/${res.body.key}`);
      expectStatus(byKey, 200);
      expect(byKey.body.id).toBe(res.body.id);
    });

    it('requires rsa_public_key for RS256 and refuses unknown algorithms', async () => {
      expectKongError(await admin(cp).post('/consumers/erin/jwt').send({ algorithm: 'RS256' }), KONG.SCHEMA_VIOLATION, {
        '@entity': ["failed conditional validation given value of field 'algorithm': rsa_public_key: required field missing"],
      });
      expectKongError(await admin(cp).post('/consumers/erin/jwt').send({ algorithm: 'none' }), KONG.SCHEMA_VIOLATION, { algorithm: expect.stringContaining('expected one of') });
      const rsa = await admin(cp).post('/consumers/erin/jwt').send({ key: 'erin-issuer', algorithm: 'RS256', rsa_public_key: '-----BEGIN PUBLIC KEY-----\nMFww\n-----END PUBLIC KEY-----' });
      expectStatus(rsa, 201);
      expect(rsa.body).toMatchObject({ key: 'erin-issuer', algorithm: 'RS256' });
    });

    it('lists, patches and deletes jwt secrets', async () => {
      const list = await admin(cp).get('/consumers/erin/jwt');
      expect(list.body.data).toHaveLength(2);
      const patched = await admin(cp).patch('/consumers/erin/jwt/erin-issuer').send({ tags: ['rotated'] });
      expectStatus(patched, 200);
      expect(patched.body.tags).toEqual(['rotated']);
      await admin(cp).delete('/jwts/erin-issuer').expect(204);
      await admin(cp).get('/jwts/erin-issuer').expect(404);
    });
  });

  // Kong's spec/03-plugins/19-hmac-auth/02-api_spec.lua
  describe('hmac-auth', () => {
    beforeAll(async () => {
      await consumer('bob-hmac');
    });

    // "[SUCCESS] should create a hmac-auth credential", "... with a random secret", "... with tags"
    it('POST /consumers/{c}/hmac-auth creates a credential, generating the secret when absent', async () => {
      const res = await admin(cp).post('/consumers/bob-hmac/hmac-auth').send({ username: 'bob', secret: 'secret', tags: ['tag1'] });
      expectStatus(res, 201);
      expect(res.body).toMatchObject({ id: expect.stringMatching(UUID), username: 'bob', secret: 'secret', tags: ['tag1'], consumer: { id: expect.stringMatching(UUID) } });
      const random = await admin(cp).post('/consumers/bob-hmac/hmac-auth').type('form').send(form({ username: 'bob-random' }));
      expectStatus(random, 201);
      expect(random.body.secret).toMatch(/^[0-9a-f]{32}$/);
    });

    // "[FAILURE] should return proper errors", "does not create hmac-auth credential when missing consumer"
    it('refuses a credential without a username, a duplicate one, and one without a consumer', async () => {
      expectKongError(await admin(cp).post('/consumers/bob-hmac/hmac-auth').send({}), KONG.SCHEMA_VIOLATION, { username: 'required field missing' });
      expectKongError(await admin(cp).post('/consumers/bob-hmac/hmac-auth').send({ username: 'bob' }), KONG.UNIQUE_VIOLATION, { username: 'bob' }, `UNIQUE violation detected on '{username="bob"}'`);
      expectKongError(await admin(cp).post('/hmac-auths').send({ username: 'orphan' }), KONG.SCHEMA_VIOLATION, { consumer: 'required field missing' });
    });

    // GET "should retrieve all", "should retrieve by id", "should retrieve by username"; /hmac-auths "retrieves all the hmac-auths";
    // /hmac-auths/:username_or_id/consumer "retrieve consumer from a hmac-auth username"
    it('looks credentials up by username and id, nested and top level, and finds their consumer', async () => {
      expect((await admin(cp).get('/consumers/bob-hmac/hmac-auth')).body.data).toHaveLength(2);
      const byName = await admin(cp).get('/consumers/bob-hmac/hmac-auth/bob');
      expectStatus(byName, 200);
      expectStatus(await admin(cp).get(`/hmac-auths/${byName.body.id}`), 200);
      expect((await admin(cp).get('/hmac-auths')).body.data.map((c: { username: string }) => c.username).sort()).toEqual(['bob', 'bob-random']);
      expect((await admin(cp).get('/hmac-auths/bob/consumer')).body.username).toBe('bob-hmac');
    });

    // PATCH "[SUCCESS] should update a credential by username", PUT "[SUCCESS] should create and update", DELETE "[SUCCESS] should delete a credential"
    it('PATCH, PUT and DELETE by username, and redacts the secret in the audit log', async () => {
      const patched = await admin(cp).patch('/consumers/bob-hmac/hmac-auth/bob').send({ secret: 'rotated' });
      expectStatus(patched, 200);
      expect(patched.body.secret).toBe('rotated');
      expectStatus(await admin(cp).put('/consumers/bob-hmac/hmac-auth/carol').send({ secret: 'c' }), 200);
      expect((await admin(cp).get('/hmac-auths/carol')).body.secret).toBe('c');
      await admin(cp).delete('/hmac-auths/carol').expect(204);
      await admin(cp).get('/hmac-auths/carol').expect(404);
      const audit = await auditFor(cp, patched.body.id);
      expect(audit.map((a) => a.entity_type)).toContain('hmacauth_credentials');
      expect(JSON.stringify(audit)).not.toContain('rotated');
    });
  });

  describe('acls', () => {
    let frankId: string;

    beforeAll(async () => {
      frankId = await consumer('frank');
      await consumer('grace');
    });

    it('POST /consumers/{c}/acls adds a group; the same group twice is 409, on another consumer it is fine', async () => {
      const res = await admin(cp).post('/consumers/frank/acls').type('form').send(form({ group: 'admins' }));
      expectStatus(res, 201);
      expect(res.body).toMatchObject({ group: 'admins', consumer: { id: frankId } });

      expectKongError(await admin(cp).post('/consumers/frank/acls').send({ group: 'admins' }), KONG.UNIQUE_VIOLATION, { consumer: { id: frankId }, group: 'admins' });
      await admin(cp).post('/consumers/grace/acls').send({ group: 'admins' }).expect(201);
      expectKongError(await admin(cp).post('/consumers/frank/acls').send({}), KONG.SCHEMA_VIOLATION, { group: 'required field missing' });
    });

    it('lists, fetches, patches and deletes acls by id', async () => {
      const list = await admin(cp).get('/consumers/frank/acls');
      expectStatus(list, 200);
      expect(list.body.data.map((a: { group: string }) => a.group)).toEqual(['admins']);
      const id = list.body.data[0].id;
      expectStatus(await admin(cp).get(`/acls/${id}`), 200);
      const patched = await admin(cp).patch(`/consumers/frank/acls/${id}`).send({ group: 'operators' });
      expectStatus(patched, 200);
      expect(patched.body.group).toBe('operators');
      expect((await admin(cp).get('/acls')).body.data.length).toBeGreaterThanOrEqual(2);
      await admin(cp).delete(`/acls/${id}`).expect(204);
      expect(await countRows(cp, 'acls', 'id = $1', [id])).toBe(0);
    });

    it('acls have no endpoint key: a non-UUID key is an invalid primary key', async () => {
      expectKongError(await admin(cp).put('/acls/not-a-uuid').send({ group: 'x', consumer: { id: frankId } }), KONG.INVALID_PRIMARY_KEY, { id: 'expected a valid UUID' });
      expectKongError(await admin(cp).get('/acls/not-a-uuid'), KONG.INVALID_PRIMARY_KEY, { id: 'expected a valid UUID' });
    });
  });

  describe('credential endpoints not covered above', () => {
    let ivanId: string;

    beforeAll(async () => {
      ivanId = await consumer('ivan');
    });

    it('GET /{credentials}/{c}/consumer returns the owner of each kind of credential', async () => {
      const key = await admin(cp).post('/consumers/ivan/key-auth').send({ key: 'ivan-key' }).expect(201);
      const basic = await admin(cp).post('/consumers/ivan/basic-auth').send({ username: 'ivan-login', password: 'pw' }).expect(201);
      const jwt = await admin(cp).post('/consumers/ivan/jwt').send({ key: 'ivan-iss' }).expect(201);
      const acl = await admin(cp).post('/consumers/ivan/acls').send({ group: 'ivans' }).expect(201);
      for (const path of ['/key-auths/ivan-key/consumer', '/basic-auths/ivan-login/consumer', '/jwts/ivan-iss/consumer', `/acls/${acl.body.id}/consumer`]) {
        const res = await admin(cp).get(path);
        expectStatus(res, 200);
        expect(res.body).toMatchObject({ id: ivanId, username: 'ivan' });
      }
      expect([key.body.consumer, basic.body.consumer, jwt.body.consumer, acl.body.consumer]).toEqual(Array(4).fill({ id: ivanId }));
      expectKongError(await admin(cp).get('/key-auths/no-such-key/consumer'), KONG.NOT_FOUND);
    });

    it('PUT /key-auths/{key} and PUT /consumers/{c}/jwt/{key} upsert by key', async () => {
      const created = await admin(cp).put('/key-auths/ivan-put-key').send({ consumer: { id: ivanId } });
      expectStatus(created, 200);
      expect(created.body).toMatchObject({ key: 'ivan-put-key', consumer: { id: ivanId }, ttl: null });
      const replaced = await admin(cp).put('/key-auths/ivan-put-key').send({ consumer: { id: ivanId }, ttl: 60 });
      expect(replaced.body).toMatchObject({ id: created.body.id, ttl: 60 });

      const jwt = await admin(cp).put('/consumers/ivan/jwt/ivan-put-iss').send({ secret: 'shared-secret' });
      expectStatus(jwt, 200);
      expect(jwt.body).toMatchObject({ key: 'ivan-put-iss', secret: 'shared-secret', consumer: { id: ivanId } });
    });

    it('DELETE /basic-auths/{username} removes the credential', async () => {
      await admin(cp).delete('/basic-auths/ivan-login').expect(204);
      expect(await countRows(cp, 'basicauth_credentials', 'username = $1', ['ivan-login'])).toBe(0);
    });
  });

  describe('cascade', () => {
    it('deleting a consumer deletes its credentials and plugins in one config version', async () => {
      const id = await consumer('henry');
      const key = await admin(cp).post('/consumers/henry/key-auth').expect(201);
      const basic = await admin(cp).post('/consumers/henry/basic-auth').send({ username: 'henry', password: 'pw' }).expect(201);
      const jwt = await admin(cp).post('/consumers/henry/jwt').expect(201);
      const acl = await admin(cp).post('/consumers/henry/acls').send({ group: 'g' }).expect(201);
      const plugin = await admin(cp).post('/consumers/henry/plugins').send({ name: 'rate-limiting', config: { minute: 10 } });
      expectStatus(plugin, 201);
      expect(plugin.body.consumer).toEqual({ id });

      const before = await configVersion(cp);
      await admin(cp).delete('/consumers/henry').expect(204);
      expect(await configVersion(cp)).toBe(before + 1);
      for (const table of ['keyauth_credentials', 'basicauth_credentials', 'jwt_secrets', 'acls']) {
        expect(await countRows(cp, table, 'consumer_id = $1', [id])).toBe(0);
      }
      expect(await countRows(cp, 'plugins', 'consumer_id = $1', [id])).toBe(0);
      expect(await countRows(cp, 'consumers', 'id = $1', [id])).toBe(0);

      const changes = await changesAt(cp, before + 1);
      expect(changes).toEqual(
        expect.arrayContaining([
          { entity_type: 'consumers', entity_id: id, op: 'delete' },
          { entity_type: 'keyauth_credentials', entity_id: key.body.id, op: 'delete' },
          { entity_type: 'basicauth_credentials', entity_id: basic.body.id, op: 'delete' },
          { entity_type: 'jwt_secrets', entity_id: jwt.body.id, op: 'delete' },
          { entity_type: 'acls', entity_id: acl.body.id, op: 'delete' },
          { entity_type: 'plugins', entity_id: plugin.body.id, op: 'delete' },
        ]),
      );
      expect(changes).toHaveLength(6);
      const audited = await cp.schema.query<{ entity_type: string }>("SELECT entity_type FROM audit_log WHERE config_version = $1 AND action = 'delete' ORDER BY entity_type", [before + 1]);
      expect(audited.map((a) => a.entity_type)).toEqual(['acls', 'basicauth_credentials', 'consumers', 'jwt_secrets', 'keyauth_credentials', 'plugins']);
    });
  });
});
