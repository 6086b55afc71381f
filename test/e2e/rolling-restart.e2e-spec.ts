/**
 * Rolling restarts. A data plane SIGTERMed with requests in flight (their bodies still arriving)
 * finishes them, reports their usage and exits; restarted, it serves again, and every call is
 * counted exactly once. A control-plane replica SIGTERMed hands its data plane to the other
 * replica (reached through the same address, as behind a load balancer), which then streams it
 * the writes made through itself.
 */
import { generateSharedClusterCertificate } from '@tollgate/protocol';
import { freePort, startPlatformProcess, TEST_DATABASE_URL, waitFor, createTestSchema, type PlatformProcess, type TestSchema } from '@tollgate/testing';
import { statusClass } from '@tollgate/usage';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { connect, createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Tally, UsagePlatform, type DataPlaneUnderTest } from './support/usage-platform';

jest.setTimeout(150_000);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A POST whose body arrives in two halves, `gapMs` apart: in flight for that long. */
function slowPost(port: number, path: string, body: string, gapMs: number): Promise<{ status: number; sent: number; received: number }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: 'POST', path, agent: false, headers: { 'content-length': String(body.length) } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, sent: req.socket!.bytesWritten, received: req.socket!.bytesRead }));
    });
    req.on('error', reject);
    req.write(body.slice(0, body.length / 2));
    setTimeout(() => req.end(body.slice(body.length / 2)), gapMs);
  });
}

describe('a data plane SIGTERMed in a rolling restart', () => {
  let platform: UsagePlatform;
  let eu: DataPlaneUnderTest;
  let us: DataPlaneUnderTest;

  beforeAll(async () => {
    ({ platform, eu, us } = await UsagePlatform.twoRegions('rolling-restart'));
  });

  afterAll(async () => {
    await platform?.dispose();
  });

  it('finishes its in-flight requests, reports their usage, and is counted exactly once after its restart', async () => {
    await platform.send([eu, us], 80);
    const body = 'x'.repeat(300);
    const inFlight = Array.from({ length: 4 }, () => slowPost(us.proxyPort, '/items/ok', body, 1500));
    await sleep(500);
    const exited = new Promise<number | null>((resolve) => us.process!.child.once('exit', (code) => resolve(code)));
    us.process!.child.kill('SIGTERM');
    const answers = await Promise.all(inFlight);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
    for (const answer of answers) platform.tally.add(Tally.key('catalog', 'catalog-items', null, 'us', us.nodeId, statusClass(answer.status)), answer.sent, answer.received);
    expect(await exited).toBe(0);
    us.process = null;

    await us.start();
    await platform.send([eu, us], 80);
    await platform.expectExactTotals(45_000);
  });
});

/** A load balancer's part: each new connection goes to the first backend that takes it. */
async function failoverRelay(backends: readonly number[]): Promise<{ port: number; server: TcpServer; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createTcpServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    const tryBackend = (index: number) => {
      if (index >= backends.length) return client.destroy();
      const upstream = connect(backends[index], '127.0.0.1');
      upstream.once('error', () => tryBackend(index + 1));
      upstream.once('connect', () => {
        sockets.add(upstream);
        upstream.on('close', () => sockets.delete(upstream));
        upstream.removeAllListeners('error');
        upstream.on('error', () => client.destroy());
        client.on('error', () => upstream.destroy());
        client.pipe(upstream).pipe(client);
      });
    };
    tryBackend(0);
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    port,
    server,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

describe('a control-plane replica SIGTERMed in a rolling restart', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-cp-rolling-'));
  let schema: TestSchema;
  let upstream: Server;
  let relay: Awaited<ReturnType<typeof failoverRelay>> | null = null;
  const replicas: { process: PlatformProcess; admin: string }[] = [];
  let dataPlane: PlatformProcess | null = null;
  let proxy: string;

  beforeAll(async () => {
    schema = await createTestSchema('cp_rolling');
    upstream = createServer((req, res) => res.end(`echo ${req.url}`));
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const cert = generateSharedClusterCertificate();
    writeFileSync(join(dir, 'cluster.crt'), cert.cert);
    writeFileSync(join(dir, 'cluster.key'), cert.key, { mode: 0o600 });
    const tls = { TOLLGATE_CLUSTER_MTLS: 'shared', TOLLGATE_CLUSTER_CERT: join(dir, 'cluster.crt'), TOLLGATE_CLUSTER_CERT_KEY: join(dir, 'cluster.key'), TOLLGATE_USAGE_WORKER_CONCURRENCY: '0' };
    const clusterPorts: number[] = [];
    for (let i = 0; i < 2; i++) {
      const [adminPort, clusterPort] = [await freePort(), await freePort()];
      clusterPorts.push(clusterPort);
      const process = startPlatformProcess('control-plane', { ...tls, DATABASE_URL: TEST_DATABASE_URL, TOLLGATE_DATABASE_SCHEMA: schema.name, TOLLGATE_ADMIN_LISTEN: `127.0.0.1:${adminPort}`, TOLLGATE_CLUSTER_LISTEN: `127.0.0.1:${clusterPort}` });
      replicas.push({ process, admin: `http://127.0.0.1:${adminPort}` });
      // One after the other: the first migrates the schema.
      await waitFor(`replica ${i + 1}`, async () => (await fetch(`${replicas[i].admin}/status`)).status === 200, 60_000, 100);
    }
    relay = await failoverRelay(clusterPorts);
    const [proxyPort, statusPort] = [await freePort(), await freePort()];
    proxy = `http://127.0.0.1:${proxyPort}`;
    dataPlane = startPlatformProcess('data-plane', { ...tls, TOLLGATE_CONTROL_PLANE: `127.0.0.1:${relay.port}`, TOLLGATE_WORKERS: '0', TOLLGATE_PROXY_LISTEN: `127.0.0.1:${proxyPort}`, TOLLGATE_PROXY_SSL_LISTEN: 'off', TOLLGATE_STATUS_LISTEN: `127.0.0.1:${statusPort}`, TOLLGATE_PREFIX: join(dir, 'dp'), TOLLGATE_USAGE: 'off' });
  });

  afterAll(async () => {
    await dataPlane?.stop('SIGKILL');
    for (const replica of replicas) await replica.process.stop('SIGKILL');
    await relay?.close();
    if (upstream) await new Promise((resolve) => upstream.close(resolve));
    await schema?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const addRoute = async (admin: string, name: string) => {
    const url = `http://127.0.0.1:${(upstream.address() as { port: number }).port}`;
    expect((await fetch(`${admin}/services`, { method: 'POST', body: new URLSearchParams({ name, url }) })).status).toBe(201);
    expect((await fetch(`${admin}/services/${name}/routes`, { method: 'POST', body: new URLSearchParams({ 'paths[]': `/${name}` }) })).status).toBe(201);
  };
  const routed = (name: string) =>
    waitFor(`/${name} routed`, async () => {
      const res = await fetch(`${proxy}/${name}`);
      await res.arrayBuffer();
      return res.status === 200;
    }, 30_000, 100);
  const connectedTo = async (admin: string) => {
    const nodes = (await (await fetch(`${admin}/clustering/data-planes`)).json()) as { data: { sync_status: string; config_version: number }[] };
    return nodes.data;
  };

  it('moves its data plane to the other replica, which keeps it in sync', async () => {
    await addRoute(replicas[0].admin, 'first');
    await routed('first');
    expect(await connectedTo(replicas[0].admin)).toHaveLength(1);

    await replicas[0].process.stop('SIGTERM');
    expect(replicas[0].process.child.exitCode).toBe(0);
    // The data plane serves on, reconnects through the same address (now the second replica) and
    // gets what is written through it.
    const res = await fetch(`${proxy}/first`);
    expect(res.status).toBe(200);
    await addRoute(replicas[1].admin, 'second');
    await routed('second');
    expect((await fetch(`${proxy}/first`)).status).toBe(200);
  });
});
