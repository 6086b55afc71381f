/**
 * http-log against a real upstream, a real data plane and a local log endpoint that a test slows
 * down, takes down and brings back. Cases translated from Kong's
 * spec/03-plugins/03-http-log/01-log_spec.lua (its `it(...)` names beside each).
 */
import type { RunningDataPlane } from '../src/data-plane';
import { consumer, keyauth, plugin, route, service, snapshot } from './support/config-fixtures';
import { startEchoUpstream, type EchoUpstream } from './support/echo-upstream';
import { HttpLogReceiver } from './support/log-receivers';
import { send, startTestDataPlane } from './support/test-data-plane';

jest.setTimeout(60_000);

interface Entry {
  request: { method: string; uri: string; url: string; size: number; headers: Record<string, string>; querystring: Record<string, unknown> };
  response: { status: number; size: number; headers: Record<string, string> };
  route: { id: string; name: string };
  service: { id: string; name: string };
  consumer: { username: string } | null;
  latencies: { kong: number; proxy: number; request: number };
  client_ip: string;
  started_at: number;
  upstream_uri: string;
  tries: { ip: string; port: number }[];
  source: string;
}

const fastRetry = { initial_retry_delay: 0.05, max_retry_delay: 0.2, max_retry_time: 60 };

describe('http-log', () => {
  let upstream: EchoUpstream;
  let dp: RunningDataPlane;
  let logs: HttpLogReceiver;
  let batched: HttpLogReceiver;
  let small: HttpLogReceiver;
  const alice = consumer('alice');

  beforeAll(async () => {
    upstream = await startEchoUpstream();
    [logs, batched, small] = await Promise.all([HttpLogReceiver.start(), HttpLogReceiver.start(), HttpLogReceiver.start()]);
    dp = await startTestDataPlane();
    const echo = service({ host: '127.0.0.1', port: upstream.port, name: 'echo' });
    const routes = {
      plain: route(echo, { paths: ['/plain'], name: 'plain' }),
      utf8: route(echo, { paths: ['/utf8'], name: 'utf8' }),
      auth: route(echo, { paths: ['/auth'], name: 'auth' }),
      batch: route(echo, { paths: ['/batch'], name: 'batch' }),
      bounded: route(echo, { paths: ['/bounded'], name: 'bounded' }),
      dead: route(echo, { paths: ['/dead'], name: 'dead' }),
    };
    const result = await dp.applySnapshot(
      snapshot({
        services: [echo],
        routes: Object.values(routes),
        consumers: [alice],
        keyauth_credentials: [keyauth(alice, 'alice-key')],
        plugins: [
          plugin('key-auth', {}, { route: routes.plain }),
          plugin('http-log', { http_endpoint: `${logs.url}/plain`, queue: fastRetry }, { route: routes.plain }),
          plugin('http-log', { http_endpoint: `${logs.url}/utf8`, content_type: 'application/json; charset=utf-8', method: 'PUT' }, { route: routes.utf8 }),
          plugin('http-log', { http_endpoint: `http://bob:s3cret@127.0.0.1:${logs.port}/auth`, headers: { 'X-Log-Token': 'abc' } }, { route: routes.auth }),
          plugin('http-log', { http_endpoint: `${batched.url}/batch`, queue: { max_batch_size: 5, max_coalescing_delay: 0.2 } }, { route: routes.batch }),
          plugin('http-log', { http_endpoint: `${small.url}/bounded`, queue: { ...fastRetry, max_entries: 5 } }, { route: routes.bounded }),
          // Nothing listens on port 9 of loopback: every send fails at layer 4.
          plugin('http-log', { http_endpoint: 'http://127.0.0.1:9/dead', timeout: 200, queue: { max_retry_time: 0.5 } }, { route: routes.dead }),
        ],
      }),
    );
    expect(result).toEqual({ ok: true });
  });

  afterAll(async () => {
    await dp.close();
    await Promise.all([upstream.close(), logs.down(), batched.down(), small.down()]);
  });

  // 01-log_spec.lua: it("logs to HTTP")
  it('sends Kong\'s serializer JSON for a proxied call, one entry per request by default', async () => {
    const before = logs.requests.length;
    const reply = await send(`${dp.proxyUrl}/plain/hello?a=1&a=2&flag`, { headers: { apikey: 'alice-key', authorization: 'Bearer secret' } });
    expect(reply.status).toBe(200);
    await logs.waitForEntries(before + 1);
    const request = logs.requests[before]!;
    expect(request.method).toBe('POST');
    expect(request.url).toBe('/plain');
    expect(request.headers['content-type']).toBe('application/json');
    const entry = JSON.parse(request.body) as Entry;
    expect(entry).toMatchObject({
      request: { method: 'GET', uri: '/plain/hello?a=1&a=2&flag', querystring: { a: ['1', '2'], flag: true } },
      response: { status: 200 },
      route: { name: 'plain' },
      service: { name: 'echo' },
      consumer: { username: 'alice' },
      client_ip: '127.0.0.1',
      upstream_uri: '/hello?a=1&a=2&flag', // the route strips its path
      source: 'service',
      tries: [{ ip: '127.0.0.1', port: upstream.port }],
    });
    // Kong redacts credentials in the logged request headers.
    expect(entry.request.headers.authorization).toBe('REDACTED');
    expect(entry.request.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/plain\/hello\?a=1&a=2&flag$/);
    expect(entry.request.size).toBeGreaterThan(50);
    expect(entry.response.size).toBeGreaterThan(Buffer.byteLength(reply.body));
    expect(entry.response.headers['content-type']).toBe(reply.headers['content-type']);
    expect(Math.abs(entry.started_at - Date.now())).toBeLessThan(10_000);
    for (const ms of [entry.latencies.kong, entry.latencies.proxy, entry.latencies.request]) expect(ms).toBeGreaterThanOrEqual(0);
    expect(entry.latencies.request).toBeGreaterThanOrEqual(entry.latencies.proxy);
  });

  // 01-log_spec.lua: it("logs to HTTP with content-type 'application/json; charset=utf-8'")
  it('sends with the configured content type and method', async () => {
    expect((await send(`${dp.proxyUrl}/utf8`)).status).toBe(200);
    await logs.waitForRequest('/utf8');
    const request = logs.requests.find((r) => r.url === '/utf8')!;
    expect(request.method).toBe('PUT');
    expect(request.headers['content-type']).toBe('application/json; charset=utf-8');
  });

  // 01-log_spec.lua: it("adds authorization if userinfo and/or header is present")
  it('sends user info of the endpoint as Basic authorization, and the configured headers', async () => {
    expect((await send(`${dp.proxyUrl}/auth`)).status).toBe(200);
    await logs.waitForRequest('/auth');
    const request = logs.requests.find((r) => r.url === '/auth')!;
    expect(request.headers.authorization).toBe(`Basic ${Buffer.from('bob:s3cret').toString('base64')}`);
    expect(request.headers['x-log-token']).toBe('abc');
  });

  // 01-log_spec.lua: it("logs to HTTP with a buffer")
  it('batches entries into JSON arrays of at most max_batch_size', async () => {
    for (let i = 0; i < 12; i++) expect((await send(`${dp.proxyUrl}/batch/${i}`)).status).toBe(200);
    await batched.waitForEntries(12);
    const sizes = batched.requests.map((r) => (JSON.parse(r.body) as unknown[]).length);
    expect(sizes.every((n) => n >= 1 && n <= 5)).toBe(true);
    expect(batched.entries<Entry>().map((e) => e.request.uri)).toEqual(Array.from({ length: 12 }, (_, i) => `/batch/${i}`));
  });

  // 01-log_spec.lua: it("gracefully handles layer 4 failures")
  it('proxies as usual when the log endpoint refuses connections', async () => {
    for (let i = 0; i < 5; i++) expect((await send(`${dp.proxyUrl}/dead`)).status).toBe(200);
  });

  it('loses nothing within the queue bound while the endpoint is slow, then down, then back; the proxy is unaffected', async () => {
    const before = logs.entries().length;
    const timed = async (path: string) => {
      const started = performance.now();
      const reply = await send(`${dp.proxyUrl}${path}`, { headers: { apikey: 'alice-key' } });
      return { status: reply.status, ms: performance.now() - started };
    };
    // Slow: each send takes 1.5 s; calls do not wait for it.
    logs.delayMs = 1500;
    const slow = [];
    for (let i = 0; i < 5; i++) slow.push(await timed(`/plain/slow-${i}`));
    // Down: connections refused; the queue holds the entries and retries.
    await logs.down();
    const down = [];
    for (let i = 0; i < 20; i++) down.push(await timed(`/plain/down-${i}`));
    for (const call of [...slow, ...down]) {
      expect(call.status).toBe(200);
      // A call never waits on the log endpoint (1.5 s per send while slow, none while down).
      expect(call.ms).toBeLessThan(1000);
    }
    logs.delayMs = 0;
    await logs.up();
    await logs.waitForEntries(before + 25, 20_000);
    const uris = logs.entries<Entry>().slice(before).map((e) => e.request.uri);
    // Each entry exactly once, in order (concurrency_limit 1).
    expect(uris).toEqual([...Array.from({ length: 5 }, (_, i) => `/plain/slow-${i}`), ...Array.from({ length: 20 }, (_, i) => `/plain/down-${i}`)]);
  });

  it('drops the oldest entries past max_entries and counts them on /metrics', async () => {
    await small.down();
    // The first entry leaves the queue as a batch being retried; of the 19 after it, the 5 newest stay.
    for (let i = 0; i < 20; i++) expect((await send(`${dp.proxyUrl}/bounded/${i}`)).status).toBe(200);
    await small.up();
    await small.waitForEntries(6, 20_000);
    await new Promise((done) => setTimeout(done, 300));
    expect(small.entries<Entry>().map((e) => e.request.uri)).toEqual(['/bounded/0', '/bounded/15', '/bounded/16', '/bounded/17', '/bounded/18', '/bounded/19']);
    const metrics = (await send(`${dp.statusUrl}/metrics`)).body;
    expect(metrics).toMatch(/tollgate_log_queue_dropped_total\{plugin="http-log",queue="http-log:[0-9a-f]{12}"\} 14/);
  });
});

describe('http-log at shutdown', () => {
  // Kong flushes its queues when a worker exits; here close() flushes for a bounded time.
  it('sends what is queued when the data plane stops', async () => {
    const upstream = await startEchoUpstream();
    const logs = await HttpLogReceiver.start();
    const dp = await startTestDataPlane();
    const echo = service({ host: '127.0.0.1', port: upstream.port });
    const r = route(echo, { paths: ['/'] });
    const config = { http_endpoint: logs.url, queue: { max_batch_size: 100, max_coalescing_delay: 3600 } };
    expect(await dp.applySnapshot(snapshot({ services: [echo], routes: [r], plugins: [plugin('http-log', config, { route: r })] }))).toEqual({ ok: true });
    for (let i = 0; i < 7; i++) expect((await send(`${dp.proxyUrl}/x${i}`)).status).toBe(200);
    expect(logs.requests).toHaveLength(0); // still coalescing
    await dp.close();
    expect(logs.entries()).toHaveLength(7);
    await Promise.all([upstream.close(), logs.down()]);
  });
});

describe('http-log enabled globally', () => {
  // 01-log_spec.lua, "Plugin: http-log (log) enabled globally": it("executes successfully when route does not exist")
  it('logs a call no route matched', async () => {
    const upstream = await startEchoUpstream();
    const logs = await HttpLogReceiver.start();
    const dp = await startTestDataPlane();
    const echo = service({ host: '127.0.0.1', port: upstream.port });
    const r = route(echo, { paths: ['/exists'] });
    const plugins = [plugin('http-log', { http_endpoint: logs.url }), plugin('prometheus', { status_code_metrics: true })];
    expect(await dp.applySnapshot(snapshot({ services: [echo], routes: [r], plugins }))).toEqual({ ok: true });
    expect((await send(`${dp.proxyUrl}/nonexistent/proxy/path`, { headers: { host: 'http_no_exist.test' } })).status).toBe(404);
    await logs.waitForEntries(1);
    expect(logs.entries<Entry>()[0]).toMatchObject({ client_ip: '127.0.0.1', response: { status: 404 }, route: null, service: null, source: 'kong', tries: [] });
    // Kong's prometheus counts nothing without a route.
    expect((await send(`${dp.statusUrl}/metrics`)).body).not.toContain('kong_http_requests_total{');
    await dp.close();
    await Promise.all([upstream.close(), logs.down()]);
  });
});

describe('http-log config changes', () => {
  // 01-log_spec.lua: it("puts changed configuration into effect immediately") and it("does not mix buffers")
  it('sends to the new endpoint as soon as the config changes; the old queue delivers what it held', async () => {
    const upstream = await startEchoUpstream();
    const [first, second] = await Promise.all([HttpLogReceiver.start(), HttpLogReceiver.start()]);
    const dp = await startTestDataPlane();
    const echo = service({ host: '127.0.0.1', port: upstream.port });
    const r = route(echo, { paths: ['/'] });
    const logTo = (url: string) => snapshot({ services: [echo], routes: [r], plugins: [plugin('http-log', { http_endpoint: url, queue: { max_batch_size: 10, max_coalescing_delay: 0.2 } }, { route: r })] });
    expect(await dp.applySnapshot(logTo(first.url))).toEqual({ ok: true });
    for (let i = 0; i < 3; i++) expect((await send(`${dp.proxyUrl}/before-${i}`)).status).toBe(200);
    expect(await dp.applySnapshot(logTo(second.url))).toEqual({ ok: true });
    for (let i = 0; i < 2; i++) expect((await send(`${dp.proxyUrl}/after-${i}`)).status).toBe(200);
    await Promise.all([first.waitForEntries(3), second.waitForEntries(2)]);
    expect(first.entries<Entry>().map((e) => e.request.uri)).toEqual(['/before-0', '/before-1', '/before-2']);
    expect(second.entries<Entry>().map((e) => e.request.uri)).toEqual(['/after-0', '/after-1']);
    await dp.close();
    await Promise.all([upstream.close(), first.down(), second.down()]);
  });
});
