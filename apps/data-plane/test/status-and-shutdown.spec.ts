import type { RunningDataPlane } from '../src/data-plane';
import { route, service, snapshot, target, upstream as upstreamEntity } from './support/config-fixtures';
import { startEchoUpstream, type Echo, type EchoUpstream } from './support/echo-upstream';
import { json, send, startTestDataPlane } from './support/test-data-plane';

describe('status server', () => {
  let upstream: EchoUpstream;
  let dp: RunningDataPlane;

  beforeAll(async () => {
    upstream = await startEchoUpstream();
    dp = await startTestDataPlane();
  });

  afterAll(async () => {
    await dp.close();
    await upstream.close();
  });

  it('is not ready until a config is loaded', async () => {
    const notReady = await send(`${dp.statusUrl}/status/ready`);
    expect(notReady.status).toBe(503);
    const svc = service({ host: 'backend.internal', port: 80 });
    const pool = upstreamEntity('backend.internal');
    const config = snapshot({
      services: [svc],
      routes: [route(svc, { paths: ['/api'] })],
      upstreams: [pool],
      targets: [target(pool, `127.0.0.1:${upstream.port}`)],
    });
    expect(await dp.applySnapshot(config)).toEqual({ ok: true });
    expect((await send(`${dp.statusUrl}/status/ready`)).status).toBe(200);
  });

  it('reports the config, connections and memory at /status', async () => {
    expect((await send(`${dp.proxyUrl}/api/x`)).status).toBe(200);
    const status = json<{
      configuration: { version: number; hash: string };
      server: { connections_accepted: number; total_requests: number };
      memory: { rss: number };
    }>(await send(`${dp.statusUrl}/status`));
    expect(status.configuration).toEqual(dp.current());
    expect(status.server.connections_accepted).toBeGreaterThan(0);
    expect(status.server.total_requests).toBeGreaterThan(0);
    expect(status.memory.rss).toBeGreaterThan(0);
  });

  it('serves Prometheus metrics: requests by class, latencies, config version, target health', async () => {
    await send(`${dp.proxyUrl}/missing`);
    const reply = await send(`${dp.statusUrl}/metrics`);
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toContain('text/plain');
    expect(reply.body).toMatch(/tollgate_http_requests_total\{status_class="2xx"\} [1-9]/);
    expect(reply.body).toMatch(/tollgate_http_requests_total\{status_class="4xx"\} [1-9]/);
    expect(reply.body).toContain(`tollgate_config_version ${dp.current()!.version}`);
    expect(reply.body).toMatch(/tollgate_upstream_latency_ms_bucket\{le="\+Inf"\} [1-9]/);
    expect(reply.body).toMatch(/tollgate_request_latency_ms_count [1-9]/);
    expect(reply.body).toContain(`tollgate_upstream_target_health{upstream="backend.internal",target="127.0.0.1:${upstream.port}"} 1`);
  });
});

describe('graceful shutdown', () => {
  it('stops accepting and lets a request in flight finish', async () => {
    const upstream = await startEchoUpstream();
    const dp = await startTestDataPlane();
    const svc = service({ host: '127.0.0.1', port: upstream.port });
    expect(await dp.applySnapshot(snapshot({ services: [svc], routes: [route(svc, { paths: ['/'] })] }))).toEqual({ ok: true });
    const inFlight = send(`${dp.proxyUrl}/slow?delay=300`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const closed = dp.close();
    await new Promise((resolve) => setTimeout(resolve, 20));
    await expect(send(`${dp.proxyUrl}/late`)).rejects.toThrow();
    const reply = await inFlight;
    expect(reply.status).toBe(200);
    expect(json<Echo>(reply).url).toBe('/slow?delay=300');
    await closed;
    await upstream.close();
  });
});
