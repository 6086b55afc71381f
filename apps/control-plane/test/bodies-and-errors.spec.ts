import {
  KONG,
  admin,
  configVersion,
  countRows,
  expectKongError,
  expectStatus,
  startTestControlPlane,
  type TestControlPlane,
} from './admin-api';

const MIB = 1024 * 1024;

interface Reply {
  status: number;
  body: Record<string, unknown>;
}

describe('admin API: request bodies and errors', () => {
  let cp: TestControlPlane;

  beforeAll(async () => {
    cp = await startTestControlPlane('bodies-and-errors');
  });

  afterAll(async () => {
    await cp.stop();
  });

  /** A raw request through fetch, for bodies supertest cannot shape (multipart, streams). */
  async function send(method: string, path: string, init: RequestInit & { duplex?: 'half' } = {}): Promise<Reply> {
    const res = await fetch(`${cp.adminUrl}${path}`, { method, ...init });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : {} };
  }

  function expectError(reply: Reply, status: number, code: number, name: string, message: RegExp): void {
    expect(reply).toEqual({ status, body: { code, name, message: expect.stringMatching(message), fields: expect.any(Object) } });
  }

  describe('JSON', () => {
    it('accepts application/json, with a charset, and +json types', async () => {
      const plain = await admin(cp).post('/consumers').set('Content-Type', 'application/json').send('{"username":"json-plain","tags":["a"]}');
      expectStatus(plain, 201);
      expect(plain.body).toMatchObject({ username: 'json-plain', tags: ['a'] });
      expectStatus(await admin(cp).post('/consumers').set('Content-Type', 'application/json; charset=utf-8').send('{"username":"json-charset"}'), 201);
      expectStatus(await admin(cp).post('/consumers').set('Content-Type', 'application/merge-patch+json').send('{"username":"json-plus"}'), 201);
    });

    it('refuses malformed JSON with 400 and writes nothing', async () => {
      const before = await configVersion(cp);
      const reply = await send('POST', '/consumers', { headers: { 'Content-Type': 'application/json' }, body: '{"username": "half' });
      // Kong's body, byte for byte (03-consumers_routes_spec.lua "handles malformed JSON body").
      expect(reply).toEqual({ status: 400, body: { message: 'Cannot parse JSON body' } });
      expect(await configVersion(cp)).toBe(before);
    });

    it.each([
      ['an array', '[{"username":"x"}]'],
      ['a string', '"username"'],
      ['null', 'null'],
    ])('refuses a JSON body that is %s', async (_what, body) => {
      const reply = await send('POST', '/consumers', { headers: { 'Content-Type': 'application/json' }, body });
      expect(reply).toEqual({ status: 400, body: { message: 'Cannot parse JSON body' } });
    });

    // 03-consumers_routes_spec.lua: "returns 400 on missing body with application/json"
    it('refuses an empty body sent as JSON, as Kong does', async () => {
      const res = await admin(cp).post('/consumers').set('Content-Type', 'application/json');
      expectStatus(res, 400);
      expect(res.text).toBe('{"message":"Cannot parse JSON body"}');
    });

    it('treats an empty body with no content type as an empty entity', async () => {
      expectKongError(await admin(cp).post('/consumers'), KONG.SCHEMA_VIOLATION, {
        '@entity': ["at least one of these fields must be non-empty: 'custom_id', 'username'"],
      });
    });
  });

  describe('form-urlencoded', () => {
    it('a[]=b and repeated keys make arrays; one value for an array field is a one-element array', async () => {
      const brackets = await admin(cp).post('/consumers').type('form').send('username=form-brackets&tags[]=a&tags[]=b');
      expectStatus(brackets, 201);
      expect(brackets.body.tags).toEqual(['a', 'b']);
      const repeated = await admin(cp).post('/consumers').type('form').send('username=form-repeated&tags=a&tags=b');
      expect(repeated.body.tags).toEqual(['a', 'b']);
      const single = await admin(cp).post('/consumers').type('form').send('username=form-single&tags=solo');
      expect(single.body.tags).toEqual(['solo']);
    });

    it('config.x=y nests, and values are coerced by the plugin schema', async () => {
      const res = await admin(cp)
        .post('/plugins')
        .type('form')
        .send('name=rate-limiting&config.minute=5&config.limit_by=header&config.header_name=x-tenant&config.fault_tolerant=false&protocols[]=http');
      expectStatus(res, 201);
      expect(res.body).toMatchObject({ protocols: ['http'], config: { minute: 5, limit_by: 'header', header_name: 'x-tenant', fault_tolerant: false } });
      const arrays = await admin(cp).post('/plugins').type('form').send('name=cors&config.origins[]=https://a.example&config.origins[]=https://b.example&config.max_age=600');
      expectStatus(arrays, 201);
      expect(arrays.body.config).toMatchObject({ origins: ['https://a.example', 'https://b.example'], max_age: 600 });
    });

    it('a value that does not coerce is a schema violation naming the nested field', async () => {
      expectKongError(await admin(cp).post('/plugins').type('form').send('name=key-auth&config.hide_credentials=maybe'), KONG.SCHEMA_VIOLATION, {
        config: { hide_credentials: 'expected a boolean' },
      });
    });
  });

  describe('multipart', () => {
    it('takes fields and arrays from multipart/form-data', async () => {
      const data = new FormData();
      data.append('username', 'multi-user');
      data.append('tags[]', 'one');
      data.append('tags[]', 'two');
      const reply = await send('POST', '/consumers', { body: data });
      expect(reply).toEqual({ status: 201, body: expect.objectContaining({ username: 'multi-user', tags: ['one', 'two'] }) });
    });

    it('reads a file part as the field’s value (curl -F field=@file) and coerces config', async () => {
      const consumer = await admin(cp).post('/consumers').send({ username: 'multi-limited' }).expect(201);
      const data = new FormData();
      data.append('name', 'rate-limiting');
      data.append('config.minute', new Blob(['7']), 'minute.txt');
      data.append('consumer.name', 'multi-limited');
      const reply = await send('POST', '/plugins', { body: data });
      expect(reply).toEqual({ status: 201, body: expect.objectContaining({ consumer: { id: consumer.body.id }, config: expect.objectContaining({ minute: 7 }) }) });
    });

    it('refuses a multipart body without a boundary', async () => {
      const reply = await send('POST', '/consumers', { headers: { 'Content-Type': 'multipart/form-data' }, body: 'username=x' });
      expectError(reply, 400, 101, 'malformed body', /^Cannot parse multipart body/);
    });
  });

  describe('size and content type', () => {
    it('refuses a body over 1 MiB with 413, declared by Content-Length', async () => {
      const count = await countRows(cp, 'consumers');
      const body = JSON.stringify({ username: 'big', custom_id: 'x'.repeat(MIB) });
      const reply = await send('POST', '/consumers', { headers: { 'Content-Type': 'application/json' }, body });
      expectError(reply, 413, 102, 'payload too large', /larger than 1048576 bytes/);
      expect(await countRows(cp, 'consumers')).toBe(count);
    });

    it('refuses a chunked body that grows past 1 MiB with 413', async () => {
      const chunk = new TextEncoder().encode('x'.repeat(64 * 1024));
      let sent = 0;
      const stream = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent >= 2 * MIB) controller.close();
          else {
            sent += chunk.length;
            controller.enqueue(chunk);
          }
        },
      });
      const reply = await send('POST', '/consumers', { headers: { 'Content-Type': 'application/json' }, body: stream, duplex: 'half' });
      expectError(reply, 413, 102, 'payload too large', /larger than 1048576 bytes/);
    });

    it('reads a body of exactly 1 MiB (and then judges its content)', async () => {
      const prefix = '{"username":"edge","custom_id":"';
      const suffix = '"}';
      const body = prefix + 'y'.repeat(MIB - prefix.length - suffix.length) + suffix;
      expect(Buffer.byteLength(body)).toBe(MIB);
      const reply = await send('POST', '/consumers', { headers: { 'Content-Type': 'application/json' }, body });
      expect(reply).toEqual({ status: 400, body: expect.objectContaining({ code: 2, fields: { custom_id: 'length must be at most 256' } }) });
    });

    it.each(['text/plain', 'application/xml', 'application/octet-stream'])('refuses Content-Type %s with 415', async (type) => {
      const reply = await send('POST', '/consumers', { headers: { 'Content-Type': type }, body: 'username=nope' });
      expectError(reply, 415, 103, 'unsupported media type', new RegExp(`Content-Type '${type}' is not supported`));
      expect(await countRows(cp, 'consumers', 'username = $1', ['nope'])).toBe(0);
    });
  });

  describe('ids', () => {
    it('a client-chosen UUID is kept; a non-UUID id is a schema violation', async () => {
      const id = '4a4a4a4a-4a4a-4a4a-8a4a-4a4a4a4a4a4a';
      const res = await admin(cp).post('/consumers').send({ id, username: 'chosen-id' });
      expectStatus(res, 201);
      expect(res.body.id).toBe(id);
      expectKongError(await admin(cp).post('/consumers').send({ id: 'not-a-uuid', username: 'bad-id' }), KONG.SCHEMA_VIOLATION, { id: 'expected a valid UUID' });
    });

    it('an id taken already is a primary key violation', async () => {
      const id = '4a4a4a4a-4a4a-4a4a-8a4a-4a4a4a4a4a4a';
      expectKongError(await admin(cp).post('/consumers').send({ id, username: 'second-owner' }), KONG.PRIMARY_KEY_VIOLATION, { id }, `primary key violation on key '{id="${id}"}'`);
    });

    it('PATCH cannot change an id; PUT by id must agree with the body', async () => {
      expectKongError(await admin(cp).patch('/consumers/chosen-id').send({ id: '5b5b5b5b-5b5b-4b5b-8b5b-5b5b5b5b5b5b' }), KONG.SCHEMA_VIOLATION, { id: 'cannot be changed' });
      expectKongError(
        await admin(cp).put('/consumers/4a4a4a4a-4a4a-4a4a-8a4a-4a4a4a4a4a4a').send({ id: '5b5b5b5b-5b5b-4b5b-8b5b-5b5b5b5b5b5b', username: 'chosen-id' }),
        KONG.SCHEMA_VIOLATION,
        { id: 'must match the id in the path' },
      );
    });

    it('on entities without an endpoint key a non-UUID in the path is an invalid primary key', async () => {
      // Plugins are no longer among them: their endpoint key is instance_name, as in Kong.
      for (const [method, path] of [
        ['get', '/certificates/not-a-uuid/snis'],
      ] as const) {
        expectKongError(await admin(cp)[method](path).send({ name: 'cors' }), KONG.INVALID_PRIMARY_KEY, { id: 'expected a valid UUID' }, "'not-a-uuid' is not a valid UUID");
      }
    });

    it('on entities with an endpoint key a non-UUID is looked up as that key', async () => {
      expectKongError(await admin(cp).get('/consumers/not-a-uuid'), KONG.NOT_FOUND, { username: 'not-a-uuid' });
      const missing = '6c6c6c6c-6c6c-4c6c-8c6c-6c6c6c6c6c6c';
      expectKongError(await admin(cp).get(`/consumers/${missing}`), KONG.NOT_FOUND, { id: missing });
      expectKongError(await admin(cp).patch(`/consumers/${missing}`).send({ custom_id: 'x' }), KONG.NOT_FOUND, { id: missing });
    });

    it('a foreign key that is not a UUID is a schema violation on that field', async () => {
      expectKongError(await admin(cp).post('/plugins').send({ name: 'cors', service: { id: '12' } }), KONG.SCHEMA_VIOLATION, { service: { id: 'expected a valid UUID' } });
      expectKongError(await admin(cp).post('/plugins').send({ name: 'cors', service: { id: '12', name: 'x' } }), KONG.SCHEMA_VIOLATION, { service: { id: 'required field missing' } });
    });
  });

  describe('error shape', () => {
    it('reports every violation at once, keyed like the input', async () => {
      const res = await admin(cp).post('/services').send({ name: 'bad name!', port: 'x', protocol: 'ftp', retries: -1 });
      expectKongError(res, KONG.SCHEMA_VIOLATION, {
        name: expect.stringContaining('invalid value'),
        port: 'expected an integer',
        protocol: expect.stringContaining('expected one of'),
        retries: 'value should be between 0 and 32767',
        host: 'required field missing',
      });
      expect(res.body.message).toMatch(/^5 schema violations \(/);
    });

    // Kong's api_helpers.lua handle_404: {"message":"Not found"}.
    it('unknown paths are 404 with Kong’s body', async () => {
      const res = await admin(cp).get('/unicorns');
      expectStatus(res, 404);
      expect(res.text).toBe('{"message":"Not found"}');
      expect((await admin(cp).post('/unicorns').send({})).body).toEqual({ message: 'Not found' });
    });

    it('a known path with a method it does not serve is 405, naming the methods it does in Allow', async () => {
      const res = await admin(cp).delete('/services');
      expectStatus(res, 405);
      expect(res.text).toBe('{"message":"Method not allowed"}');
      expect(res.headers.allow).toBe('GET, HEAD, OPTIONS, POST');
      const one = await admin(cp).post('/services/some-name').send({});
      expectStatus(one, 405);
      expect(one.body).toEqual({ message: 'Method not allowed' });
      expect(one.headers.allow).toBe('DELETE, GET, HEAD, OPTIONS, PATCH, PUT');
      // The entity itself being absent stays a 404.
      expectKongError(await admin(cp).get('/services/no-such-service'), KONG.NOT_FOUND);
    });
  });
});
