/**
 * The build as production runs it: `tools/build` output copied outside the repository, only the
 * production packages beside it (no TypeScript, no swc), the CLI's `cluster certs` for mutual
 * TLS, and `node dist/apps/<app>/main.js` as processes (the data plane with a cluster worker).
 * Then README's curls: Kong 0.x's POST /apis, key-auth on it, a consumer with a key, and the
 * proxy's 401 without the key and 200 with it.
 */
import { createTestSchema, deleteRedisKeys, freePort, startPlatformProcess, TEST_DATABASE_URL, testRedisPrefix, waitFor, type PlatformProcess, type TestSchema } from '@tollgate/testing';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installForProduction, productionPackages } from './support/production-install';

jest.setTimeout(120_000);

const dir = mkdtempSync(join(tmpdir(), 'tollgate-built-'));
const redisKeyPrefix = testRedisPrefix('built-platform');

async function form(url: string, fields: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url, { method: 'POST', body: new URLSearchParams(fields) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** fetch() drops a Host header: node:http sends it, as curl -H 'Host: ...' does. */
function getWithHost(url: string, host: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { host, ...headers } }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the built apps run as plain JavaScript with production packages only', () => {
  let dist: string;
  let schema: TestSchema;
  let upstream: Server;
  let controlPlane: PlatformProcess | null = null;
  let dataPlane: PlatformProcess | null = null;
  let admin: string;
  let proxy: string;

  beforeAll(async () => {
    dist = installForProduction(dir, ['control-plane', 'data-plane', 'cli']);
    schema = await createTestSchema('built_platform');
    upstream = createServer((req, res) => res.end(JSON.stringify({ upstream: 'echo', path: req.url })));
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    // README's `tollgate cluster certs`, from the built CLI.
    execFileSync(process.execPath, [join(dist, 'apps', 'cli', 'main.js'), 'cluster', 'certs', '--out', join(dir, 'certs')], { cwd: dir, stdio: 'pipe' });
    const cluster = { TOLLGATE_CLUSTER_MTLS: 'shared', TOLLGATE_CLUSTER_CERT: join(dir, 'certs', 'cluster.crt'), TOLLGATE_CLUSTER_CERT_KEY: join(dir, 'certs', 'cluster.key'), TOLLGATE_REDIS_KEY_PREFIX: redisKeyPrefix };
    const [adminPort, clusterPort, proxyPort, statusPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
    admin = `http://127.0.0.1:${adminPort}`;
    proxy = `http://127.0.0.1:${proxyPort}`;
    const built = { dist, cwd: dir };
    controlPlane = startPlatformProcess('control-plane', { ...cluster, DATABASE_URL: TEST_DATABASE_URL, TOLLGATE_DATABASE_SCHEMA: schema.name, TOLLGATE_ADMIN_LISTEN: `127.0.0.1:${adminPort}`, TOLLGATE_CLUSTER_LISTEN: `127.0.0.1:${clusterPort}` }, built);
    await waitFor('the built control plane', async () => (await fetch(`${admin}/status`)).status === 200, 60_000, 100).catch((error: Error) => {
      throw new Error(`${error.message}\n${controlPlane!.output()}`);
    });
    dataPlane = startPlatformProcess(
      'data-plane',
      { ...cluster, TOLLGATE_CONTROL_PLANE: `127.0.0.1:${clusterPort}`, TOLLGATE_WORKERS: '1', TOLLGATE_PROXY_LISTEN: `127.0.0.1:${proxyPort}`, TOLLGATE_PROXY_SSL_LISTEN: 'off', TOLLGATE_STATUS_LISTEN: `127.0.0.1:${statusPort}`, TOLLGATE_PREFIX: join(dir, 'dp') },
      built,
    );
  });

  afterAll(async () => {
    await dataPlane?.stop();
    await controlPlane?.stop();
    if (upstream) await new Promise((resolve) => upstream.close(resolve));
    await schema?.drop();
    await deleteRedisKeys(redisKeyPrefix);
    rmSync(dir, { recursive: true, force: true });
  });

  it('installs no TypeScript tooling beside the build, and copies the proto file beside each app', () => {
    const installed = productionPackages();
    for (const tooling of ['typescript', '@swc/core', '@swc-node/register', 'jest', 'nx']) expect(installed).not.toContain(tooling);
    expect(installed).toEqual(expect.arrayContaining(['@nestjs/core', '@grpc/grpc-js', 'pg', 'bullmq']));
    expect(existsSync(join(dist, 'apps', 'data-plane', 'proto', 'tollgate', 'v1', 'config_sync.proto'))).toBe(true);
    expect(existsSync(join(dist, 'apps', 'control-plane', 'proto', 'tollgate', 'v1', 'config_sync.proto'))).toBe(true);
  });

  it("serves README's legacy /apis + key-auth curls: 401 without the key, 200 with it", async () => {
    const upstreamUrl = `http://127.0.0.1:${(upstream.address() as { port: number }).port}/`;
    const api = await form(`${admin}/apis/`, { name: 'legacy', upstream_url: upstreamUrl, request_host: 'legacy.example.com' });
    expect(api.status).toBe(201);
    expect((await form(`${admin}/apis/legacy/plugins/`, { name: 'key-auth' })).status).toBe(201);
    expect((await form(`${admin}/consumers`, { username: 'Jason' })).status).toBe(201);
    const credential = await form(`${admin}/consumers/Jason/key-auth`, { key: 'jason-secret' });
    expect(credential.status).toBe(201);
    expect(credential.body.key).toBe('jason-secret');

    const call = (headers: Record<string, string>) => getWithHost(`${proxy}/status/200`, 'legacy.example.com', headers);
    // The data plane has the config once the keyless call is refused by key-auth, not unrouted.
    const refused = await waitFor('key-auth on the synced config', async () => ((await call({})).status === 401 ? call({}) : null), 30_000, 100).catch((error: Error) => {
      throw new Error(`${error.message}\n${dataPlane!.output()}`);
    });
    expect(JSON.parse(refused.body)).toEqual({ message: 'No API key found in request' });
    const served = await call({ apikey: 'jason-secret' });
    expect(served.status).toBe(200);
    expect(JSON.parse(served.body)).toEqual({ upstream: 'echo', path: '/status/200' });
    expect((await call({ apikey: 'wrong' })).status).toBe(401);
  });
});
