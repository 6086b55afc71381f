import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildBalancers } from './build-balancers';
import { makeRequest, makeTargets, makeUpstream, only } from './spec-fixtures';
import type { Balancer } from './types';

/** A real target whose answer the test controls; `hang` never answers. */
interface FakeTarget {
  readonly key: string;
  status: number | 'hang';
  readonly probes: IncomingMessage[];
  stop(): Promise<void>;
  restart(): Promise<void>;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startTarget(port = 0): Promise<FakeTarget> {
  let server: Server;
  const target: FakeTarget = {
    key: '',
    status: 200,
    probes: [],
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
    restart: async () => {
      server = await listen(server, Number(target.key.split(':')[1]));
    },
  };
  server = createServer((req, res) => {
    target.probes.push(req);
    if (target.status === 'hang') return;
    res.writeHead(target.status).end('probe answer');
  });
  server = await listen(server, port);
  Object.assign(target, { key: `127.0.0.1:${(server.address() as AddressInfo).port}` });
  cleanups.push(() => (server.listening ? target.stop() : undefined));
  return target;
}

function listen(server: Server, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

function balancerFor(targets: FakeTarget[], healthchecks: Record<string, unknown>, probes = true): Balancer {
  const upstream = makeUpstream({ healthchecks });
  const balancer = only(buildBalancers([upstream], makeTargets(upstream, targets.map((t) => t.key)), { probes }));
  cleanups.push(() => balancer.close());
  return balancer;
}

const healthyOf = (balancer: Balancer, target: FakeTarget) => balancer.health().find((h) => h.target === target.key)!.healthy;

async function waitFor(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const fastActive = {
  timeout: 0.2,
  healthy: { interval: 0.05, successes: 2 },
  unhealthy: { interval: 0.05, http_failures: 2, tcp_failures: 1, timeouts: 1 },
};

describe('active health checks against real targets', () => {
  it('takes out a target that starts answering 500 and brings it back when it answers 200', async () => {
    const [a, b] = [await startTarget(), await startTarget()];
    const balancer = balancerFor([a, b], { active: fastActive });
    a.status = 500;
    await waitFor(() => !healthyOf(balancer, a), 'a is unhealthy');
    expect(new Set(Array.from({ length: 10 }, () => balancer.pick(makeRequest())!.key))).toEqual(new Set([b.key]));
    a.status = 200;
    await waitFor(() => healthyOf(balancer, a), 'a is healthy again');
    expect(new Set(Array.from({ length: 10 }, () => balancer.pick(makeRequest())!.key))).toEqual(new Set([a.key, b.key]));
  });

  it('takes out a target whose port closes and brings it back when it listens again', async () => {
    const [a, b] = [await startTarget(), await startTarget()];
    const balancer = balancerFor([a, b], { active: fastActive });
    await a.stop();
    await waitFor(() => !healthyOf(balancer, a), 'a is unhealthy');
    expect(healthyOf(balancer, b)).toBe(true);
    await a.restart();
    await waitFor(() => healthyOf(balancer, a), 'a is healthy again');
  });

  it('takes out a target that does not answer within the probe timeout', async () => {
    const a = await startTarget();
    const balancer = balancerFor([a], { active: fastActive });
    a.status = 'hang';
    await waitFor(() => !healthyOf(balancer, a), 'a timed out');
    expect(balancer.pick(makeRequest())).toBeNull();
  });

  it('answers null when every target is down', async () => {
    const [a, b] = [await startTarget(), await startTarget()];
    const balancer = balancerFor([a, b], { active: fastActive });
    a.status = 503;
    b.status = 503;
    await waitFor(() => balancer.health().every((h) => !h.healthy), 'both are unhealthy');
    expect(balancer.pick(makeRequest())).toBeNull();
  });

  it('brings back a target that passive checks took out, probing only unhealthy targets', async () => {
    const a = await startTarget();
    const balancer = balancerFor([a], {
      active: { healthy: { interval: 0, successes: 1 }, unhealthy: { interval: 0.05 } },
      passive: { unhealthy: { http_failures: 1 } },
    });
    await sleep(150);
    expect(a.probes).toHaveLength(0); // healthy targets are not probed with healthy.interval 0
    const address = balancer.pick(makeRequest())!;
    balancer.onStart(address);
    balancer.report(address, { kind: 'response', status: 500, latencyMs: 3 });
    expect(healthyOf(balancer, a)).toBe(false);
    await waitFor(() => healthyOf(balancer, a), 'a is healthy again');
  });

  it('probes http_path with the configured headers', async () => {
    const a = await startTarget();
    balancerFor([a], { active: { ...fastActive, http_path: '/healthz', headers: { 'x-probe': ['yes'] } } });
    await waitFor(() => a.probes.length > 0, 'a probe arrives');
    expect(a.probes[0].url).toBe('/healthz');
    expect(a.probes[0].headers['x-probe']).toBe('yes');
  });

  it('checks only that the port accepts connections for tcp-type probes', async () => {
    const a = await startTarget();
    const balancer = balancerFor([a], { active: { ...fastActive, type: 'tcp' } });
    a.status = 500; // not looked at
    await sleep(200);
    expect(healthyOf(balancer, a)).toBe(true);
    expect(a.probes).toHaveLength(0);
    await a.stop();
    await waitFor(() => !healthyOf(balancer, a), 'a is unhealthy');
  });

  it('stops probing on close(), and never probes with probes: false', async () => {
    const a = await startTarget();
    const balancer = balancerFor([a], { active: fastActive });
    await waitFor(() => a.probes.length >= 2, 'two probes arrive');
    balancer.close();
    await sleep(30); // a probe already on the wire may still land
    const seen = a.probes.length;
    await sleep(200);
    expect(a.probes.length).toBe(seen);

    const b = await startTarget();
    balancerFor([b], { active: fastActive }, false);
    await sleep(200);
    expect(b.probes).toHaveLength(0);
  });
});
