/**
 * The planes as separate processes, where a process is what fails: the control plane killed,
 * data planes serving on through it, a data plane restarted from its disk copy while the control
 * plane is down, and everything converging when it returns. Cluster traffic is mutual TLS.
 */
import { generateSharedClusterCertificate } from '@tollgate/protocol';
import {
  adminClient,
  createTestSchema,
  deleteRedisKeys,
  freePort,
  startPlatformProcess,
  TEST_DATABASE_URL,
  testRedisPrefix,
  waitFor,
  type PlatformProcess,
  type TestSchema,
} from '@tollgate/testing';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

jest.setTimeout(120_000);

const dir = mkdtempSync(join(tmpdir(), 'tollgate-processes-'));
const cert = generateSharedClusterCertificate();
const certFile = join(dir, 'cluster.crt');
const keyFile = join(dir, 'cluster.key');
writeFileSync(certFile, cert.cert);
writeFileSync(keyFile, cert.key, { mode: 0o600 });
// The usage queue (the control plane's worker, the data planes' metering) under this suite's own prefix.
const redisKeyPrefix = testRedisPrefix('sync-processes');
const clusterEnv = { TOLLGATE_CLUSTER_MTLS: 'shared', TOLLGATE_CLUSTER_CERT: certFile, TOLLGATE_CLUSTER_CERT_KEY: keyFile, TOLLGATE_REDIS_KEY_PREFIX: redisKeyPrefix };

async function get(url: string): Promise<number> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0;
  }
}

describe('control plane and data planes as processes', () => {
  let schema: TestSchema;
  let upstream: Server;
  let upstreamPort: number;
  let adminPort: number;
  let clusterPort: number;
  let controlPlane: PlatformProcess | null = null;
  const dataPlanes: { process: PlatformProcess | null; proxy: number; status: number; prefix: string; workers: string }[] = [];

  const startControlPlane = () =>
    startPlatformProcess('control-plane', {
      ...clusterEnv,
      DATABASE_URL: TEST_DATABASE_URL,
      TOLLGATE_DATABASE_SCHEMA: schema.name,
      TOLLGATE_ADMIN_LISTEN: `127.0.0.1:${adminPort}`,
      TOLLGATE_CLUSTER_LISTEN: `127.0.0.1:${clusterPort}`,
    });

  const startDataPlane = (dp: (typeof dataPlanes)[number]) =>
    startPlatformProcess('data-plane', {
      ...clusterEnv,
      TOLLGATE_CONTROL_PLANE: `127.0.0.1:${clusterPort}`,
      TOLLGATE_PROXY_LISTEN: `127.0.0.1:${dp.proxy}`,
      TOLLGATE_PROXY_SSL_LISTEN: 'off',
      TOLLGATE_STATUS_LISTEN: `127.0.0.1:${dp.status}`,
      TOLLGATE_PREFIX: dp.prefix,
      TOLLGATE_WORKERS: dp.workers,
    });

  const proxied = (dp: (typeof dataPlanes)[number], path: string) => get(`http://127.0.0.1:${dp.proxy}${path}`);

  beforeAll(async () => {
    schema = await createTestSchema('sync_processes');
    upstream = createServer((req, res) => res.end(`upstream saw ${req.url}`));
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    upstreamPort = (upstream.address() as { port: number }).port;
    adminPort = await freePort();
    clusterPort = await freePort();
    for (const workers of ['0', '1']) {
      dataPlanes.push({ process: null, proxy: await freePort(), status: await freePort(), prefix: mkdtempSync(join(dir, 'dp-')), workers });
    }
  });

  afterAll(async () => {
    await controlPlane?.stop('SIGKILL');
    for (const dp of dataPlanes) await dp.process?.stop('SIGKILL');
    await new Promise((resolve) => upstream.close(resolve));
    await schema.drop();
    await deleteRedisKeys(redisKeyPrefix);
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves through a control-plane outage and converges when it returns', async () => {
    controlPlane = startControlPlane();
    const admin = adminClient(`http://127.0.0.1:${adminPort}`);
    await waitFor('control plane up', async () => (await get(`http://127.0.0.1:${adminPort}/status`)) === 200, 30_000).catch((err) => {
      throw new Error(`${String(err)}\n${controlPlane!.output()}`);
    });
    expect((await admin.post('/services', { name: 'echo', url: `http://127.0.0.1:${upstreamPort}` })).status).toBe(201);
    expect((await admin.post('/services/echo/routes', { name: 'first', paths: ['/first'] })).status).toBe(201);

    for (const dp of dataPlanes) dp.process = startDataPlane(dp);
    for (const dp of dataPlanes) {
      await waitFor('data plane proxying the first route', async () => (await proxied(dp, '/first')) === 200, 45_000).catch((err) => {
        throw new Error(`${String(err)}\n${dp.process!.output()}`);
      });
    }
    const listed = await admin.get<{ data: { sync_status: string }[] }>('/clustering/data-planes');
    expect(listed.body.data).toHaveLength(2);

    // The control plane dies: both data planes keep proxying on their last config.
    await controlPlane.stop('SIGKILL');
    controlPlane = null;
    for (const dp of dataPlanes) expect(await proxied(dp, '/first')).toBe(200);

    // A data plane restarted while the control plane is down serves its disk copy at once.
    const restarted = dataPlanes[0]!;
    await restarted.process!.stop('SIGTERM');
    expect(await proxied(restarted, '/first')).toBe(0);
    restarted.process = startDataPlane(restarted);
    await waitFor('restarted data plane serving its disk copy', async () => (await proxied(restarted, '/first')) === 200, 45_000);
    expect(await get(`http://127.0.0.1:${restarted.status}/status/ready`)).toBe(200);

    // The control plane returns; a new write reaches every data plane without a restart.
    controlPlane = startControlPlane();
    await waitFor('control plane back', async () => (await get(`http://127.0.0.1:${adminPort}/status`)) === 200, 30_000);
    expect((await admin.post('/services/echo/routes', { name: 'second', paths: ['/second'] })).status).toBe(201);
    for (const dp of dataPlanes) {
      await waitFor('data plane converged on the new route', async () => (await proxied(dp, '/second')) === 200, 45_000).catch((err) => {
        throw new Error(`${String(err)}\n${dp.process!.output()}`);
      });
    }
    const after = await admin.get<{ data: { sync_status: string; config_version: number }[] }>('/clustering/data-planes');
    const [state] = await schema.query<{ version: string }>('SELECT version FROM config_state');
    await waitFor('every node recorded at the latest version', async () => {
      const rows = (await admin.get<{ data: { sync_status: string; config_version: number }[] }>('/clustering/data-planes')).body.data;
      return rows.every((r) => r.sync_status === 'normal' && r.config_version === Number(state!.version));
    });
    expect(after.body.data).toHaveLength(2);
  });
});
