/**
 * prometheus against a real upstream and a real data plane, scraped on the status port's /metrics.
 * Cases translated from Kong's spec/03-plugins/26-prometheus/02-access_spec.lua (its `it(...)`
 * names beside each); Kong's expected lines are kept as they are, labels and order included.
 */
import type { RunningDataPlane } from '../src/data-plane';
import { consumer, keyauth, plugin, route, service, snapshot, target, upstream as upstreamEntity } from './support/config-fixtures';
import { startStatusUpstream } from './support/status-upstream';
import { send, startTestDataPlane } from './support/test-data-plane';

describe('prometheus', () => {
  let mock: { port: number; close(): Promise<void> };
  let dp: RunningDataPlane;
  const scrape = async () => {
    const reply = await send(`${dp.statusUrl}/metrics`);
    expect(reply.status).toBe(200);
    return reply.body;
  };

  beforeAll(async () => {
    mock = await startStatusUpstream();
    dp = await startTestDataPlane();
    const mockService = service({ host: '127.0.0.1', port: mock.port, name: 'mock-service' });
    const pool = upstreamEntity('mock-upstream');
    const pooled = service({ host: 'mock-upstream', port: 80, name: 'pooled-service' });
    const alice = consumer('alice');
    const httpRoute = route(mockService, { name: 'http-route', paths: ['/http'], strip_path: true });
    const authRoute = route(mockService, { name: 'auth-route', paths: ['/auth'], strip_path: true });
    const unnamed = route(mockService, { name: null, paths: ['/unnamed'] });
    const pooledRoute = route(pooled, { name: 'pooled-route', paths: ['/pooled'] });
    const quiet = route(mockService, { name: 'quiet-route', paths: ['/quiet'] });
    const all = { status_code_metrics: true, latency_metrics: true, bandwidth_metrics: true, upstream_health_metrics: true };
    const result = await dp.applySnapshot(
      snapshot({
        services: [mockService, pooled],
        routes: [httpRoute, authRoute, unnamed, pooledRoute, quiet],
        upstreams: [pool],
        targets: [target(pool, `127.0.0.1:${mock.port}`)],
        consumers: [alice],
        keyauth_credentials: [keyauth(alice, 'alice-key')],
        plugins: [
          plugin('prometheus', all, { service: mockService }),
          plugin('prometheus', all, { service: pooled }),
          plugin('key-auth', {}, { route: authRoute }),
          plugin('prometheus', { ...all, per_consumer: true }, { route: authRoute }),
          // Kong's defaults: every flag off, so nothing per route is exported for it.
          plugin('prometheus', {}, { route: quiet }),
        ],
      }),
    );
    expect(result).toEqual({ ok: true });
  });

  afterAll(async () => {
    await dp.close();
    await mock.close();
  });

  // 02-access_spec.lua: it("increments the count for proxied requests")
  it('counts proxied requests by service, route, code and source', async () => {
    expect((await send(`${dp.proxyUrl}/http/status/200`)).status).toBe(200);
    let body = await scrape();
    expect(body).toContain('kong_nginx_metric_errors_total 0');
    expect(body).toContain('kong_http_requests_total{service="mock-service",route="http-route",code="200",source="service",workspace="default",consumer=""} 1');
    expect((await send(`${dp.proxyUrl}/http/status/400`)).status).toBe(400);
    body = await scrape();
    expect(body).toContain('kong_http_requests_total{service="mock-service",route="http-route",code="400",source="service",workspace="default",consumer=""} 1');
    // The status port's own metrics are still there.
    expect(body).toContain('tollgate_http_requests_total{status_class="2xx"}');
  });

  // 02-access_spec.lua: it("does not log error if no service was matched")
  it('records nothing for a call no route matched', async () => {
    expect((await send(`${dp.proxyUrl}/nowhere`)).status).toBe(404);
    expect(await scrape()).not.toContain('code="404"');
  });

  // 02-access_spec.lua: it("scrape response has metrics and comments only")
  it('answers metrics and comments only', async () => {
    for (const line of (await scrape()).split('\n').filter((l) => l !== '')) expect(line).toMatch(/^(#|kong_|tollgate_|process_|nodejs_)/);
  });

  // 02-access_spec.lua, per-consumer metrics: it("increments the count for proxied requests") and it("behave correctly if consumer is not found")
  it('labels the consumer when per_consumer is on, and counts the gateway\'s own 401 as source kong', async () => {
    expect((await send(`${dp.proxyUrl}/auth/status/200`, { headers: { apikey: 'alice-key' } })).status).toBe(200);
    expect((await send(`${dp.proxyUrl}/auth/status/400`, { headers: { apikey: 'alice-key' } })).status).toBe(400);
    expect((await send(`${dp.proxyUrl}/auth/status/200`)).status).toBe(401);
    const body = await scrape();
    expect(body).toContain('kong_http_requests_total{service="mock-service",route="auth-route",code="200",source="service",workspace="default",consumer="alice"} 1');
    expect(body).toContain('kong_http_requests_total{service="mock-service",route="auth-route",code="400",source="service",workspace="default",consumer="alice"} 1');
    expect(body).toContain('kong_http_requests_total{service="mock-service",route="auth-route",code="401",source="kong",workspace="default",consumer=""} 1');
    expect(body).toMatch(/kong_bandwidth_bytes\{service="mock-service",route="auth-route",direction="egress",workspace="default",consumer="alice"\} \d+/);
  });

  it('exports Kong\'s latency histograms and bandwidth per service and route', async () => {
    for (let i = 0; i < 3; i++) expect((await send(`${dp.proxyUrl}/unnamed/x`)).status).toBe(200);
    const body = await scrape();
    // A route without a name is labelled by its id, as Kong does.
    const idLabel = /kong_request_latency_ms_count\{service="mock-service",route="([0-9a-f-]{36})",workspace="default"\} 3/.exec(body);
    expect(idLabel).not.toBeNull();
    for (const name of ['kong_request_latency_ms', 'kong_upstream_latency_ms', 'kong_kong_latency_ms']) {
      expect(body).toContain(`${name}_bucket{service="mock-service",route="${idLabel![1]}",workspace="default",le="+Inf"} 3`);
    }
    expect(body).toContain('kong_kong_latency_ms_bucket{service="mock-service",route="http-route",workspace="default",le="6000"}');
    expect(body).toContain('kong_upstream_latency_ms_bucket{service="mock-service",route="http-route",workspace="default",le="60000"}');
    const ingress = new RegExp(`kong_bandwidth_bytes\\{service="mock-service",route="${idLabel![1]}",direction="ingress",workspace="default",consumer=""\\} (\\d+)`).exec(body);
    expect(Number(ingress?.[1])).toBeGreaterThan(3 * 40);
  });

  // 02-access_spec.lua, granular metrics switch: it("unexpected metrics is not found")
  it('exports nothing per route for an instance with Kong\'s defaults (every switch off)', async () => {
    expect((await send(`${dp.proxyUrl}/quiet`)).status).toBe(200);
    expect(await scrape()).not.toContain('route="quiet-route"');
  });

  // 02-access_spec.lua, granular metrics switch: it("expected metrics upstream_target_health is found")
  it('exports upstream target health when an instance asks for it', async () => {
    expect((await send(`${dp.proxyUrl}/pooled`)).status).toBe(200);
    const body = await scrape();
    const labels = `upstream="mock-upstream",target="127.0.0.1:${mock.port}",address="127.0.0.1:${mock.port}"`;
    expect(body).toContain(`kong_upstream_target_health{${labels},state="healthy",subsystem="http"} 1`);
    expect(body).toContain(`kong_upstream_target_health{${labels},state="unhealthy",subsystem="http"} 0`);
    expect(body).toContain('kong_http_requests_total{service="pooled-service",route="pooled-route",code="200",source="service",workspace="default",consumer=""} 1');
  });
});
