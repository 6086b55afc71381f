/**
 * Postgres restarted under a running control plane (a PostgreSQL of the test's own, crashed with
 * `pg_ctl stop -m immediate`): the data plane keeps serving its config through the outage, admin
 * writes fail while Postgres is down (and do not hang), and once it is back the same control-plane
 * process takes writes again and streams them to the data plane.
 */
import { freePort, startPlatformProcess, waitFor, type PlatformProcess } from '@tollgate/testing';
import { generateSharedClusterCertificate } from '@tollgate/protocol';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PrivatePostgres } from './support/private-postgres';

jest.setTimeout(180_000);

async function form(url: string, fields: Record<string, string>): Promise<number> {
  try {
    const res = await fetch(url, { method: 'POST', body: new URLSearchParams(fields), signal: AbortSignal.timeout(15_000) });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0;
  }
}

async function statusOf(url: string): Promise<number> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0;
  }
}

describe('Postgres restarted under a running control plane', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-pg-restart-'));
  let postgres: PrivatePostgres;
  let upstream: Server;
  let controlPlane: PlatformProcess | null = null;
  let dataPlane: PlatformProcess | null = null;
  let admin: string;
  let proxy: string;

  beforeAll(async () => {
    postgres = await PrivatePostgres.create();
    await postgres.start();
    upstream = createServer((req, res) => res.end(`echo ${req.url}`));
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const cert = generateSharedClusterCertificate();
    writeFileSync(join(dir, 'cluster.crt'), cert.cert);
    writeFileSync(join(dir, 'cluster.key'), cert.key, { mode: 0o600 });
    const tls = { TOLLGATE_CLUSTER_MTLS: 'shared', TOLLGATE_CLUSTER_CERT: join(dir, 'cluster.crt'), TOLLGATE_CLUSTER_CERT_KEY: join(dir, 'cluster.key'), TOLLGATE_USAGE_WORKER_CONCURRENCY: '0', TOLLGATE_USAGE_ROLL_INTERVAL: '0' };
    const [adminPort, clusterPort, proxyPort, statusPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
    admin = `http://127.0.0.1:${adminPort}`;
    proxy = `http://127.0.0.1:${proxyPort}`;
    // The database does not exist yet: the control plane creates it, as on a fresh machine.
    controlPlane = startPlatformProcess('control-plane', { ...tls, DATABASE_URL: postgres.url('tollgate'), TOLLGATE_ADMIN_LISTEN: `127.0.0.1:${adminPort}`, TOLLGATE_CLUSTER_LISTEN: `127.0.0.1:${clusterPort}` });
    await waitFor('the control plane', async () => (await statusOf(`${admin}/status`)) === 200, 60_000, 100).catch((error: Error) => {
      throw new Error(`${error.message}\n${controlPlane!.output()}`);
    });
    dataPlane = startPlatformProcess('data-plane', { ...tls, TOLLGATE_CONTROL_PLANE: `127.0.0.1:${clusterPort}`, TOLLGATE_WORKERS: '0', TOLLGATE_PROXY_LISTEN: `127.0.0.1:${proxyPort}`, TOLLGATE_PROXY_SSL_LISTEN: 'off', TOLLGATE_STATUS_LISTEN: `127.0.0.1:${statusPort}`, TOLLGATE_PREFIX: join(dir, 'dp'), TOLLGATE_USAGE: 'off' });
  });

  afterAll(async () => {
    await dataPlane?.stop('SIGKILL');
    await controlPlane?.stop('SIGKILL');
    if (upstream) await new Promise((resolve) => upstream.close(resolve));
    await postgres?.remove();
    rmSync(dir, { recursive: true, force: true });
  });

  const addRoute = async (name: string) => {
    const upstreamUrl = `http://127.0.0.1:${(upstream.address() as { port: number }).port}`;
    const service = await form(`${admin}/services`, { name, url: upstreamUrl });
    if (service !== 201) return service;
    return form(`${admin}/services/${name}/routes`, { 'paths[]': `/${name}` });
  };
  const routed = (name: string) => waitFor(`/${name} routed`, async () => (await statusOf(`${proxy}/${name}`)) === 200, 30_000, 100);

  it('keeps the data plane serving through the outage and takes writes again once Postgres is back', async () => {
    expect(await addRoute('before')).toBe(201);
    await routed('before');

    await postgres.stop('immediate');
    // Down: the proxy serves on from its config; a write fails without hanging; status says so.
    expect(await statusOf(`${proxy}/before`)).toBe(200);
    const during = await form(`${admin}/services`, { name: 'during', url: 'http://127.0.0.1:9' });
    expect(during).toBeGreaterThanOrEqual(500);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(await statusOf(`${proxy}/before`)).toBe(200);

    await postgres.start();
    // Back: the same process writes again, and the write reaches the data plane (the publisher's
    // LISTEN connection came back too).
    await waitFor('admin writes accepted again', async () => (await addRoute('after')) === 201, 60_000, 500).catch((error: Error) => {
      throw new Error(`${error.message}\n${controlPlane!.output()}`);
    });
    await routed('after');
    expect(await statusOf(`${proxy}/before`)).toBe(200);
    expect(controlPlane!.child.exitCode).toBeNull();
    const status = (await (await fetch(`${admin}/status`)).json()) as { database: { reachable: boolean } };
    expect(status.database.reachable).toBe(true);
  });
});
