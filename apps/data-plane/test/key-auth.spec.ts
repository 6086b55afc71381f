import { request as httpRequest } from 'node:http';
import type { RunningDataPlane } from '../src/data-plane';
import { consumer, keyauth, plugin, route, service, snapshot } from './support/config-fixtures';
import { startEchoUpstream, type Echo, type EchoUpstream } from './support/echo-upstream';
import { json, send, startTestDataPlane } from './support/test-data-plane';

describe('key-auth', () => {
  let upstream: EchoUpstream;
  let dp: RunningDataPlane;
  const jason = consumer('jason', { custom_id: 'crm-42' });
  const anon = consumer('anonymous');
  const jasonKey = keyauth(jason, 'secret-key');
  const expired = keyauth(jason, 'old-key', { ttl: 1, created_at: Math.floor(Date.now() / 1000) - 10 });

  beforeAll(async () => {
    upstream = await startEchoUpstream();
    dp = await startTestDataPlane();
    const echo = service({ host: '127.0.0.1', port: upstream.port });
    const plain = route(echo, { paths: ['/plain'] });
    const hidden = route(echo, { paths: ['/hidden'] });
    const custom = route(echo, { paths: ['/custom'] });
    const anonymous = route(echo, { paths: ['/anonymous'] });
    const body = route(echo, { paths: ['/body'] });
    const preflight = route(echo, { paths: ['/preflight'] });
    const bigBody = route(echo, { paths: ['/big-body'] });
    const result = await dp.applySnapshot(
      snapshot({
        services: [echo],
        routes: [plain, hidden, custom, anonymous, body, preflight, bigBody],
        consumers: [jason, anon],
        keyauth_credentials: [jasonKey, expired],
        plugins: [
          plugin('key-auth', {}, { route: plain }),
          plugin('key-auth', { hide_credentials: true }, { route: hidden }),
          plugin('key-auth', { key_names: ['X-Api-Token'], key_in_query: false, realm: 'shop' }, { route: custom }),
          plugin('key-auth', { anonymous: 'anonymous' }, { route: anonymous }),
          plugin('key-auth', { key_in_body: true, hide_credentials: true }, { route: body }),
          plugin('key-auth', { run_on_preflight: false }, { route: preflight }),
          plugin('key-auth', { key_in_body: true, anonymous: 'anonymous' }, { route: bigBody }),
        ],
      }),
    );
    expect(result).toEqual({ ok: true });
  });

  afterAll(async () => {
    await dp.close();
    await upstream.close();
  });

  it('answers 401 with a challenge when no key is given', async () => {
    const reply = await send(`${dp.proxyUrl}/plain`);
    expect(reply.status).toBe(401);
    expect(json(reply)).toEqual({ message: 'No API key found in request' });
    expect(reply.headers['www-authenticate']).toBe('Key realm="tollgate"');
  });

  it('answers 401 for an unknown key and for an expired one', async () => {
    for (const key of ['wrong', 'old-key']) {
      const reply = await send(`${dp.proxyUrl}/plain`, { headers: { apikey: key } });
      expect(reply.status).toBe(401);
      expect(json(reply)).toEqual({ message: 'Invalid authentication credentials' });
    }
  });

  it('accepts the key from a header and tells the upstream who called, overriding what the client claimed', async () => {
    const reply = await send(`${dp.proxyUrl}/plain`, { headers: { apikey: 'secret-key', 'x-consumer-id': 'forged', 'x-anonymous-consumer': 'true' } });
    expect(reply.status).toBe(200);
    const echo = json<Echo>(reply);
    expect(echo.headers).toMatchObject({
      'x-consumer-id': jason.id,
      'x-consumer-username': 'jason',
      'x-consumer-custom-id': 'crm-42',
      'x-credential-identifier': jasonKey.id,
      apikey: 'secret-key',
    });
    expect(echo.headers['x-anonymous-consumer']).toBeUndefined();
  });

  it('accepts the key from the query string', async () => {
    const echo = json<Echo>(await send(`${dp.proxyUrl}/plain/x?apikey=secret-key&page=1`));
    expect(echo.headers['x-consumer-username']).toBe('jason');
    expect(echo.url).toBe('/x?apikey=secret-key&page=1');
  });

  it('hides the credential from the upstream when asked', async () => {
    const fromHeader = json<Echo>(await send(`${dp.proxyUrl}/hidden`, { headers: { apikey: 'secret-key' } }));
    expect(fromHeader.headers.apikey).toBeUndefined();
    const fromQuery = json<Echo>(await send(`${dp.proxyUrl}/hidden/x?page=1&apikey=secret-key`));
    expect(fromQuery.url).toBe('/x?page=1');
  });

  it('uses the configured key names and realm', async () => {
    expect((await send(`${dp.proxyUrl}/custom`, { headers: { 'x-api-token': 'secret-key' } })).status).toBe(200);
    const reply = await send(`${dp.proxyUrl}/custom?x-api-token=secret-key`);
    expect(reply.status).toBe(401);
    expect(reply.headers['www-authenticate']).toBe('Key realm="shop"');
  });

  it('runs as the anonymous consumer when authentication fails, and marks it', async () => {
    const echo = json<Echo>(await send(`${dp.proxyUrl}/anonymous`, { headers: { apikey: 'wrong' } }));
    expect(echo.headers).toMatchObject({ 'x-consumer-id': anon.id, 'x-consumer-username': 'anonymous', 'x-anonymous-consumer': 'true' });
    expect(echo.headers['x-credential-identifier']).toBeUndefined();
    const real = json<Echo>(await send(`${dp.proxyUrl}/anonymous`, { headers: { apikey: 'secret-key' } }));
    expect(real.headers['x-consumer-username']).toBe('jason');
  });

  it('finds the key in a form or JSON body and removes it before proxying', async () => {
    const form = json<Echo>(
      await send(`${dp.proxyUrl}/body`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'apikey=secret-key&item=1',
      }),
    );
    expect(form.headers['x-consumer-username']).toBe('jason');
    expect(form.body).toBe('item=1');
    expect(form.headers['content-length']).toBe('6');
    const body = JSON.stringify({ apikey: 'secret-key', item: 2 });
    const fromJson = json<Echo>(await send(`${dp.proxyUrl}/body`, { method: 'POST', headers: { 'content-type': 'application/json' }, body }));
    expect(JSON.parse(fromJson.body)).toEqual({ item: 2 });
  });

  it('passes a body too large to search on to the upstream whole, bytes read and the rest', async () => {
    const size = 9 * 1024 * 1024;
    const reply = await new Promise<Echo>((resolve, reject) => {
      const req = httpRequest(`${dp.proxyUrl}/big-body`, { method: 'POST', headers: { 'content-type': 'application/json' }, agent: false }, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve(JSON.parse(text) as Echo));
      });
      req.on('error', reject);
      for (let i = 0; i < 9; i++) req.write(Buffer.alloc(1024 * 1024, 'a'));
      req.end();
    });
    expect(reply.headers['x-anonymous-consumer']).toBe('true');
    expect(reply.bodyBytes).toBe(size);
  });

  it('lets CORS preflights through when run_on_preflight is false', async () => {
    expect((await send(`${dp.proxyUrl}/preflight`, { method: 'OPTIONS' })).status).toBe(200);
    expect((await send(`${dp.proxyUrl}/preflight`)).status).toBe(401);
  });
});
