import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDataPlaneProcess, type DataPlaneProcess } from './support/data-plane-process';
import { startEchoUpstream, type Echo, type EchoUpstream } from './support/echo-upstream';
import { allClosed, destroyAll, idleClients, openRaw, settled, slowlorisClients, type RawClient } from './support/raw-clients';
import { json, send, type Reply } from './support/test-data-plane';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface EdgeStatus {
  server: {
    connections_active: number;
    connections_capacity: number;
    connections_refused: number;
    accept_errors: number;
    client_header_timeouts: number;
    client_body_timeouts: number;
    accepting: boolean;
  };
}

function declarativeFile(dir: string, upstream: EchoUpstream): string {
  const file = join(dir, 'kong.yml');
  writeFileSync(
    file,
    [
      '_format_version: "3.0"',
      'services:',
      '- name: echo',
      `  url: http://127.0.0.1:${upstream.port}`,
      '  routes:',
      '  - paths: [/api]',
      '  - paths: [/streamed]',
      '    strip_path: false',
      '    request_buffering: false',
    ].join('\n'),
  );
  return file;
}

function portOf(url: string): number {
  return Number(new URL(url).port);
}

/** Normal clients, one request each on a fresh connection, every `everyMs` until `stop` resolves. */
async function normalTraffic(proxy: string, everyMs: number, stop: Promise<void>): Promise<number[]> {
  const statuses: number[] = [];
  let stopped = false;
  void stop.then(() => (stopped = true));
  while (!stopped) {
    statuses.push((await send(`${proxy}/api/normal`).catch(() => ({ status: 0 }) as Reply)).status);
    await sleep(everyMs);
  }
  return statuses;
}

/** Whether one raw request head, then its body bytes one at a time every `everyMs`, is answered, and how. */
function dripPost(port: number, length: number, bytes: number, everyMs: number, path = '/api/upload'): Promise<{ client: RawClient }> {
  const client = openRaw(port, (c) => {
    c.socket.write(`POST ${path} HTTP/1.1\r\nHost: edge.test\r\nContent-Length: ${length}\r\n\r\n`);
    let sent = 0;
    const drip = setInterval(() => {
      if (sent === bytes || !c.socket.writable) return clearInterval(drip);
      c.socket.write('x');
      sent++;
    }, everyMs);
    void c.closed.then(() => clearInterval(drip));
  });
  return client.closed.then(() => ({ client }));
}

describe('the proxy edge under idle and slow clients (1 s timeouts)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-edge-'));
  let upstream: EchoUpstream;
  let node: DataPlaneProcess;

  beforeAll(async () => {
    upstream = await startEchoUpstream();
    node = await startDataPlaneProcess(declarativeFile(dir, upstream), join(dir, 'prefix'), {
      TOLLGATE_CLIENT_HEADER_TIMEOUT: '1s',
      TOLLGATE_CLIENT_BODY_TIMEOUT: '1s',
      TOLLGATE_CLIENT_KEEPALIVE_TIMEOUT: '1s',
    });
  }, 40_000);

  afterAll(async () => {
    await node.stop();
    await upstream.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('closes idle and slowloris connections at the header timeout while normal clients are served', async () => {
    const port = portOf(node.proxy);
    const idle = idleClients(port, 40);
    const loris = slowlorisClients(port, 40, 250);
    const flood = [...idle, ...loris];
    const closed = allClosed(flood, 8000);
    const traffic = normalTraffic(node.proxy, 50, closed.catch(() => undefined));
    await closed;
    const statuses = await traffic;
    expect(statuses.length).toBeGreaterThan(5);
    expect(statuses.every((s) => s === 200)).toBe(true);
    // Closed at the timeout (node checks every quarter of it), not before: a head still dripping is no excuse.
    for (const c of flood) expect(c.closedAfter).toBeGreaterThanOrEqual(900);
    for (const c of flood) expect(c.closedAfter).toBeLessThan(4000);
    for (const c of loris) expect(c.received).toMatch(/^HTTP\/1\.1 408 /);
    const status = json<EdgeStatus>(await send(`${node.status}/status`));
    expect(status.server.client_header_timeouts).toBeGreaterThanOrEqual(80);
    expect(status.server.connections_active).toBeLessThanOrEqual(1);
  }, 20_000);

  it('closes a keep-alive connection idle past the keep-alive timeout', async () => {
    const client = openRaw(portOf(node.proxy), (c) => c.socket.write('GET /api/once HTTP/1.1\r\nHost: edge.test\r\n\r\n'));
    await client.closed;
    expect(client.received).toMatch(/^HTTP\/1\.1 200 /);
    expect(client.closedAfter).toBeGreaterThanOrEqual(900);
    expect(client.closedAfter).toBeLessThan(4000);
  });

  it('answers 408 to a body that stops arriving (client_body_timeout)', async () => {
    const { client } = await dripPost(portOf(node.proxy), 100, 10, 20);
    expect(client.received).toMatch(/^HTTP\/1\.1 408 /);
    expect(client.received).toContain('{"message":"Request timeout"}');
    expect(client.closedAfter).toBeGreaterThanOrEqual(900);
    expect(client.closedAfter).toBeLessThan(4000);
    expect(json<EdgeStatus>(await send(`${node.status}/status`)).server.client_body_timeouts).toBeGreaterThanOrEqual(1);
  });

  it('answers 408 to a streamed body (request_buffering off) that stops arriving, and aborts its upstream request', async () => {
    const { client } = await dripPost(portOf(node.proxy), 100, 10, 20, '/streamed/stalled');
    expect(client.received).toMatch(/^HTTP\/1\.1 408 /);
    expect(client.closedAfter).toBeLessThan(4000);
    await sleep(200);
    expect(upstream.progress.get('/streamed/stalled')).toBe(10); // it was streaming
    expect(upstream.aborted).toContain('/streamed/stalled');
  });

  it('serves a body that arrives slowly but never pauses as long as the timeout (it is between reads)', async () => {
    const client = openRaw(portOf(node.proxy), (c) => {
      c.socket.write('POST /api/steady HTTP/1.1\r\nHost: edge.test\r\nContent-Length: 8\r\nConnection: close\r\n\r\n');
      let sent = 0;
      const drip = setInterval(() => {
        c.socket.write('y');
        if (++sent === 8) clearInterval(drip);
      }, 350);
    });
    await client.closed;
    expect(client.received).toMatch(/^HTTP\/1\.1 200 /);
    const echo = JSON.parse(client.received.slice(client.received.indexOf('\r\n\r\n') + 4)) as Echo;
    expect(echo.body).toBe('yyyyyyyy');
  }, 10_000);
});

/** Worker pids of a cluster primary. */
function childPids(pid: number): string[] {
  try {
    return execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).trim().split('\n').sort();
  } catch {
    return [];
  }
}

async function servesAgainWithin(node: DataPlaneProcess, ms: number): Promise<{ proxy: number; ready: number }> {
  const deadline = Date.now() + ms;
  let last = { proxy: 0, ready: 0 };
  while (Date.now() < deadline) {
    const proxy = (await send(`${node.proxy}/api/after`).catch(() => ({ status: 0 }) as Reply)).status;
    const ready = (await send(`${node.status}/status/ready`).catch(() => ({ status: 0 }) as Reply)).status;
    last = { proxy, ready };
    if (proxy === 200 && ready === 200) return last;
    await sleep(200);
  }
  return last;
}

/** Opens `count` idle connections in batches; each is then held or refused. */
async function flood(port: number, count: number): Promise<RawClient[]> {
  const clients: RawClient[] = [];
  for (let i = 0; i < count; i += 200) {
    clients.push(...idleClients(port, Math.min(200, count - i)));
    await sleep(20);
  }
  await settled(clients, 10_000);
  return clients;
}

describe('descriptor exhaustion: 2,600 idle connections on a node under `ulimit -n 1024`', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-edge-fds-'));
  let upstream: EchoUpstream;

  beforeAll(async () => {
    upstream = await startEchoUpstream();
  });

  afterAll(async () => {
    await upstream.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('caps each worker below its descriptor limit, is not ready while full, /status keeps answering, and serves again once they leave', async () => {
    const node = await startDataPlaneProcess(declarativeFile(dir, upstream), join(dir, 'capped'), { TOLLGATE_WORKERS: '2' }, 1024);
    try {
      const workers = childPids(node.child.pid!);
      expect(workers).toHaveLength(2);
      const clients = await flood(portOf(node.proxy), 2600);
      for (let i = 0; i < 5; i++) {
        const status = await send(`${node.status}/status`);
        expect(status.status).toBe(200);
        const server = json<EdgeStatus>(status).server;
        expect(server.connections_capacity).toBe(2 * 448); // (1024 - 128) / 2 per worker
        expect(server.connections_active).toBeLessThanOrEqual(server.connections_capacity);
        expect((await send(`${node.status}/metrics`)).status).toBe(200);
        await sleep(300);
      }
      const ready = await send(`${node.status}/status/ready`);
      expect(ready.status).toBe(503);
      expect(json(ready).message).toMatch(/not accepting connections/);
      expect((await send(`${node.status}/metrics`)).body).toMatch(/tollgate_connections_refused_total [1-9]/);
      destroyAll(clients);
      expect(await servesAgainWithin(node, 5000)).toEqual({ proxy: 200, ready: 200 });
      expect(childPids(node.child.pid!)).toEqual(workers); // no worker crashed or was replaced
      expect(node.child.exitCode).toBeNull();
    } finally {
      await node.stop();
    }
  }, 60_000);

  it('with a cap set above the limit, survives EMFILE on accept, counts it, and serves again once they leave', async () => {
    // One serving process that accepts itself, told to hold more than its descriptors allow.
    const node = await startDataPlaneProcess(declarativeFile(dir, upstream), join(dir, 'overcommitted'), { TOLLGATE_WORKERS: '0', TOLLGATE_WORKER_CONNECTIONS: '5000' }, 1024);
    try {
      const clients = await flood(portOf(node.proxy), 2600);
      // Out of descriptors the status listener sheds connections too; whatever it answers, it must not fail.
      for (let i = 0; i < 6; i++) {
        const status = await send(`${node.status}/status`).catch(() => null);
        if (status !== null) expect(status.status).toBe(200);
        await sleep(300);
      }
      expect(node.child.exitCode).toBeNull();
      destroyAll(clients);
      expect(await servesAgainWithin(node, 5000)).toEqual({ proxy: 200, ready: 200 });
      const status = json<EdgeStatus>(await send(`${node.status}/status`));
      expect(status.server.accept_errors).toBeGreaterThan(0);
      expect((await send(`${node.status}/metrics`)).body).toMatch(/tollgate_accept_errors_total [1-9]/);
      expect(node.child.exitCode).toBeNull();
    } finally {
      await node.stop();
    }
  }, 60_000);
});
