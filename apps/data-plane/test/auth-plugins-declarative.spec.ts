/**
 * The auth and access plugins from a Kong declarative file, served by a data-plane process as an
 * operator starts it (TOLLGATE_DECLARATIVE_CONFIG, one worker): Kong's nested credentials, a
 * plain basic-auth password hashed at load, hmac-auth credentials. Each plugin is covered in
 * depth by its own suite; here each is seen once from a file.
 */
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDataPlaneProcess, type DataPlaneProcess } from './support/data-plane-process';
import { startEchoUpstream, type Echo, type EchoUpstream } from './support/echo-upstream';
import { signJwt } from './support/jwt-signer';
import { json, send } from './support/test-data-plane';

const KONG_YML = (port: number) => `
_format_version: "3.0"
services:
- name: echo
  url: http://127.0.0.1:${port}
  routes:
  - { name: basic, paths: [/basic], plugins: [{ name: basic-auth, config: { realm: files } }] }
  - { name: jwt, paths: [/jwt], plugins: [{ name: jwt, config: { claims_to_verify: [exp] } }] }
  - name: acl
    paths: [/acl]
    plugins: [{ name: basic-auth }, { name: acl, config: { deny: [blocked] } }]
  - { name: ip, paths: [/ip], plugins: [{ name: ip-restriction, config: { allow: [10.0.0.0/8, "::1"] } }] }
  - { name: hmac, paths: [/hmac], plugins: [{ name: hmac-auth, config: { algorithms: [hmac-sha512] } }] }
  - { name: bots, paths: [/bots], plugins: [{ name: bot-detection, config: { deny: ["^Evil"] } }] }
  - { name: closed, paths: [/closed], plugins: [{ name: request-termination, config: { status_code: 403, body: "<h1>closed</h1>", content_type: text/html } }] }
consumers:
- username: alice
  basicauth_credentials: [{ username: alice, password: from-the-file }]
  jwt_secrets: [{ key: alice-iss, secret: alice-jwt-secret }]
  hmacauth_credentials: [{ username: alice-hmac, secret: alice-hmac-secret }]
  acls: [{ group: blocked }]
- username: bob
  basicauth_credentials: [{ username: bob, password: bobs-pass }]
`;

describe('auth and access plugins from a declarative file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-auth-file-'));
  let upstream: EchoUpstream;
  let node: DataPlaneProcess;

  beforeAll(async () => {
    upstream = await startEchoUpstream();
    const file = join(dir, 'kong.yml');
    writeFileSync(file, KONG_YML(upstream.port));
    node = await startDataPlaneProcess(file, join(dir, 'prefix'));
  }, 40_000);

  afterAll(async () => {
    await node.stop();
    await upstream.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const get = (path: string, headers: Record<string, string> = {}) => send(`${node.proxy}${path}`, { headers });
  const basic = (user: string, password: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });

  it('serves each plugin as the file configures it', async () => {
    const refused = await get('/basic', basic('alice', 'wrong'));
    expect([refused.status, refused.headers['www-authenticate']]).toEqual([401, 'Basic realm="files"']);
    expect(json<Echo>(await get('/basic', basic('alice', 'from-the-file'))).headers['x-credential-identifier']).toBe('alice');

    const exp = Math.floor(Date.now() / 1000) + 60;
    expect((await get('/jwt', { authorization: `Bearer ${signJwt('HS256', { iss: 'alice-iss', exp }, 'alice-jwt-secret')}` })).status).toBe(200);
    expect(json(await get('/jwt', { authorization: `Bearer ${signJwt('HS256', { iss: 'alice-iss', exp: exp - 120 }, 'alice-jwt-secret')}` }))).toEqual({ exp: 'token expired' });

    expect((await get('/acl', basic('alice', 'from-the-file'))).status).toBe(403);
    expect((await get('/acl', basic('bob', 'bobs-pass'))).status).toBe(200);

    expect(json(await get('/ip'))).toEqual({ message: 'IP address not allowed: 127.0.0.1' });

    const date = new Date().toUTCString();
    const signature = createHmac('sha512', 'alice-hmac-secret').update(`date: ${date}`).digest('base64');
    const hmac = { date, authorization: `hmac username="alice-hmac",algorithm="hmac-sha512",headers="date",signature="${signature}"` };
    expect(json<Echo>(await get('/hmac', hmac)).headers['x-consumer-username']).toBe('alice');

    expect((await get('/bots', { 'user-agent': 'EvilCrawler' })).status).toBe(403);
    expect((await get('/bots', { 'user-agent': 'Mozilla/5.0' })).status).toBe(200);

    const closed = await get('/closed');
    expect([closed.status, closed.headers['content-type'], closed.body]).toEqual([403, 'text/html', '<h1>closed</h1>']);
  });
});
