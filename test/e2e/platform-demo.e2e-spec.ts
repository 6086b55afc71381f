/**
 * `npm run demo` as a newcomer sees it, from the build: `node dist/apps/platform/main.js
 * --regions eu,us` starts two control-plane replicas and a data plane per region (production
 * packages only beside it). A write through replica 1 reaches both regions, whichever replica
 * each syncs from; replica 2 lists both data planes; SIGTERM stops every process.
 */
import { createTestSchema, deleteRedisKeys, TEST_DATABASE_URL, testRedisPrefix, waitFor, type TestSchema } from '@tollgate/testing';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installForProduction } from './support/production-install';

jest.setTimeout(120_000);

// Every port the demo layout takes, relative to its --port-offset (README's "Building for production").
const LAYOUT_PORTS = [8001, 8002, 8005, 8006, 8000, 8443, 8100, 8010, 8453, 8110];

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createTcpServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** An offset under which every port of the layout is free (below the ephemeral range). */
async function freeOffset(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const offset = 10_000 + Math.floor(Math.random() * 10_000);
    if ((await Promise.all(LAYOUT_PORTS.map((port) => bindable(offset + port)))).every(Boolean)) return offset;
  }
  throw new Error('no free port block for the demo layout');
}

describe('npm run demo: the built platform with two replicas and two regions', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-demo-'));
  const redisKeyPrefix = testRedisPrefix('platform-demo');
  let schema: TestSchema;
  let upstream: Server;
  let platform: ChildProcess;
  let output = '';
  let offset: number;

  beforeAll(async () => {
    const dist = installForProduction(dir, ['platform']);
    schema = await createTestSchema('platform_demo');
    upstream = createServer((req, res) => res.end(`echo ${req.url}`));
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    offset = await freeOffset();
    platform = spawn(process.execPath, [join(dist, 'apps', 'platform', 'main.js'), '--regions', 'eu,us', '--port-offset', String(offset)], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '', DATABASE_URL: TEST_DATABASE_URL, TOLLGATE_DATABASE_SCHEMA: schema.name, TOLLGATE_REDIS_KEY_PREFIX: redisKeyPrefix, TOLLGATE_WORKERS: '1', TOLLGATE_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    platform.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    platform.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await waitFor('the platform started', () => output.includes('"msg":"tollgate started"'), 90_000, 100).catch((error: Error) => {
      throw new Error(`${error.message}\n${output}`);
    });
  });

  afterAll(async () => {
    if (platform && platform.exitCode === null) {
      platform.kill('SIGKILL');
      await new Promise((resolve) => platform.once('exit', resolve));
    }
    if (upstream) await new Promise((resolve) => upstream.close(resolve));
    await schema?.drop();
    await deleteRedisKeys(redisKeyPrefix);
    rmSync(dir, { recursive: true, force: true });
  });

  it('routes a service written through replica 1 in both regions, and replica 2 sees both data planes', async () => {
    const replica1 = `http://127.0.0.1:${offset + 8001}`;
    const replica2 = `http://127.0.0.1:${offset + 8002}`;
    const service = await fetch(`${replica1}/services`, { method: 'POST', body: new URLSearchParams({ name: 'echo', url: `http://127.0.0.1:${(upstream.address() as { port: number }).port}` }) });
    expect(service.status).toBe(201);
    expect((await fetch(`${replica1}/services/echo/routes`, { method: 'POST', body: new URLSearchParams({ 'paths[]': '/echo' }) })).status).toBe(201);
    for (const proxyPort of [offset + 8000, offset + 8010]) {
      const body = await waitFor(`the route on :${proxyPort}`, async () => {
        const res = await fetch(`http://127.0.0.1:${proxyPort}/echo/hello`);
        return res.status === 200 ? res.text() : null;
      }, 30_000, 100);
      expect(body).toBe('echo /hello');
    }
    const nodes = (await (await fetch(`${replica2}/clustering/data-planes`)).json()) as { data: { region: string }[] };
    expect(nodes.data.map((node) => node.region).sort()).toEqual(['eu', 'us']);
  });

  it('stops every process on SIGTERM', async () => {
    const exited = new Promise<number | null>((resolve) => platform.once('exit', (code) => resolve(code)));
    platform.kill('SIGTERM');
    expect(await exited).toBe(0);
    for (const port of LAYOUT_PORTS) expect(await bindable(offset + port)).toBe(true);
  });
});
