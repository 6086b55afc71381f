/**
 * The auth and access plugins as an operator sets them up: through the admin API, synced over
 * gRPC to a real data plane, against a real upstream. Each plugin's Kong behaviour is covered in
 * depth by apps/data-plane/test/<plugin>.spec.ts; here each is seen once end to end, with the
 * admin API's refusals of bad configs.
 */
import { startDataPlane, readDataPlaneSettings, type RunningDataPlane } from '@tollgate/data-plane';
import { ConfigSyncClient, SnapshotFile } from '@tollgate/data-plane-sync';
import { pluginHandlers } from '@tollgate/plugins';
import { adminClient, startTestControlPlane, waitFor, type AdminClient, type TestControlPlane } from '@tollgate/testing';
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

jest.setTimeout(60_000);

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
function hs256(claims: Record<string, unknown>, secret: string): string {
  const input = `${b64url({ typ: 'JWT', alg: 'HS256' })}.${b64url(claims)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

describe('auth and access plugins through the admin API and config sync', () => {
  let cp: TestControlPlane;
  let admin: AdminClient;
  let upstream: Server;
  let dp: RunningDataPlane;
  let sync: ConfigSyncClient;
  const prefix = mkdtempSync(join(tmpdir(), 'tollgate-auth-e2e-'));

  beforeAll(async () => {
    upstream = createServer((req, res) => res.end(JSON.stringify({ headers: req.headers })));
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    cp = await startTestControlPlane('auth_plugins_e2e');
    admin = adminClient(cp.adminUrl);
    const settings = readDataPlaneSettings({ TOLLGATE_NODE_NAME: 'auth-e2e', TOLLGATE_WORKERS: '0', TOLLGATE_USAGE: 'off', TOLLGATE_LOG_LEVEL: 'silent' });
    dp = await startDataPlane({ ...settings, proxyListen: { host: '127.0.0.1', port: 0 }, proxySslListen: null, statusListen: null, prefix });
    sync = new ConfigSyncClient({
      address: cp.clusterAddress,
      tls: { mode: 'off' },
      nodeId: '00000000-0000-4000-8000-0000000000aa',
      hostname: 'auth-e2e',
      region: 'default',
      labels: {},
      version: '0.1.0',
      plugins: [...pluginHandlers.keys()],
      applier: dp,
      snapshotFile: new SnapshotFile(prefix),
      heartbeatMs: 200,
      backoff: { initialMs: 50, maxMs: 500 },
    });
    sync.start();
    await waitFor('data plane connected', async () => (await admin.get<{ data: unknown[] }>('/clustering/data-planes')).body.data.length === 1);
  });

  afterAll(async () => {
    sync.stop();
    await dp.close();
    await cp.stop();
    await new Promise((resolve) => upstream.close(resolve));
    rmSync(prefix, { recursive: true, force: true });
  });

  const proxied = (path: string, headers: Record<string, string> = {}) => fetch(`${dp.proxyUrl}${path}`, { headers });
  const created = async (path: string, body: unknown) => {
    const res = await admin.post(path, body);
    expect([path, res.status, res.body]).toEqual([path, 201, expect.anything()]);
    return res.body;
  };

  it('serves every plugin configured through the admin API', async () => {
    const port = (upstream.address() as { port: number }).port;
    await created('/services', { name: 'echo', url: `http://127.0.0.1:${port}` });
    for (const name of ['basic', 'jwt', 'acl', 'ip', 'hmac', 'bots', 'closed']) await created('/services/echo/routes', { name, paths: [`/${name}`] });
    await created('/consumers', { username: 'alice' });
    await created('/consumers/alice/basic-auth', { username: 'alice', password: 'open-sesame' });
    await created('/consumers/alice/jwt', { key: 'alice-iss', secret: 'alice-jwt-secret' });
    await created('/consumers/alice/acls', { group: 'gold' });
    await created('/consumers/alice/hmac-auth', { username: 'alice-hmac', secret: 'alice-hmac-secret' });
    await created('/routes/basic/plugins', { name: 'basic-auth' });
    await created('/routes/jwt/plugins', { name: 'jwt' });
    await created('/routes/acl/plugins', { name: 'basic-auth' });
    await created('/routes/acl/plugins', { name: 'acl', config: { allow: ['silver'] } });
    await created('/routes/ip/plugins', { name: 'ip-restriction', config: { deny: ['127.0.0.0/8'], status: 418, message: 'go away' } });
    await created('/routes/hmac/plugins', { name: 'hmac-auth' });
    await created('/routes/bots/plugins', { name: 'bot-detection' });
    await created('/routes/closed/plugins', { name: 'request-termination', config: { status_code: 410, message: 'gone' } });
    await waitFor('the last plugin synced', async () => (await proxied('/closed')).status === 410);

    const basic = `Basic ${Buffer.from('alice:open-sesame').toString('base64')}`;
    expect((await proxied('/basic')).status).toBe(401);
    const viaBasic = (await (await proxied('/basic', { authorization: basic })).json()) as { headers: Record<string, string> };
    expect(viaBasic.headers['x-consumer-username']).toBe('alice');

    expect((await proxied('/jwt', { authorization: `Bearer ${hs256({ iss: 'alice-iss' }, 'wrong')}` })).status).toBe(401);
    expect((await proxied('/jwt', { authorization: `Bearer ${hs256({ iss: 'alice-iss' }, 'alice-jwt-secret')}` })).status).toBe(200);

    const denied = await proxied('/acl', { authorization: basic });
    expect([denied.status, await denied.json()]).toEqual([403, { message: 'You cannot consume this service' }]);

    const ip = await proxied('/ip');
    expect([ip.status, await ip.json()]).toEqual([418, { message: 'go away' }]);

    const date = new Date().toUTCString();
    const signature = createHmac('sha256', 'alice-hmac-secret').update(`date: ${date}`).digest('base64');
    const hmac = `hmac username="alice-hmac",algorithm="hmac-sha256",headers="date",signature="${signature}"`;
    expect((await proxied('/hmac', { date, authorization: hmac })).status).toBe(200);
    expect((await proxied('/hmac', { date })).status).toBe(401);

    expect((await proxied('/bots', { 'user-agent': 'Googlebot/2.1 (+http://www.google.com/bot.html)' })).status).toBe(403);
    expect((await proxied('/bots', { 'user-agent': 'curl/8.0' })).status).toBe(200);
    expect(await (await proxied('/closed')).json()).toEqual({ message: 'gone' });
  });

  it('follows a change made through the admin API: the acl now allows the group', async () => {
    const plugins = await admin.get<{ data: { id: string; name: string }[] }>('/routes/acl/plugins');
    const acl = plugins.body.data.find((p) => p.name === 'acl')!;
    expect((await admin.patch(`/plugins/${acl.id}`, { config: { allow: ['gold'] } })).status).toBe(200);
    const basic = `Basic ${Buffer.from('alice:open-sesame').toString('base64')}`;
    const reply = await waitFor('acl change synced', async () => {
      const res = await proxied('/acl', { authorization: basic });
      return res.status === 200 ? ((await res.json()) as { headers: Record<string, string> }) : undefined;
    });
    expect(reply.headers['x-consumer-groups']).toBe('gold');
  });

  it('refuses unknown fields, bad regexes and bad CIDRs, naming the field', async () => {
    const refusal = async (body: unknown) => {
      const res = await admin.post('/plugins', body);
      expect(res.status).toBe(400);
      return (res.body as { fields: unknown }).fields;
    };
    expect(await refusal({ name: 'jwt', config: { token_header: 'x' } })).toEqual({ config: { token_header: 'unknown field' } });
    expect(await refusal({ name: 'bot-detection', config: { deny: ['(unclosed'] } })).toEqual({ config: { deny: [expect.stringContaining("invalid regex: '(unclosed'")] } });
    expect(await refusal({ name: 'ip-restriction', config: { allow: ['10.0.0.0/33'] } })).toEqual({ config: { allow: ['invalid cidr range: 10.0.0.0/33'] } });
    expect(await refusal({ name: 'hmac-auth', config: { algorithms: ['hmac-md5'] } })).toEqual({ config: { algorithms: [expect.stringContaining('expected one of')] } });
  });
});
