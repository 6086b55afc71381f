/**
 * The observability plugins as an operator sets them up: written through the admin API, synced to
 * a data-plane node of two cluster workers (a process of its own), and seen at their receivers
 * (an HTTP log endpoint, a TCP log endpoint, a file, an OTLP/HTTP collector) and on the node's
 * /metrics, summed over the workers.
 */
import { adminClient, freePort, startPlatformProcess, startTestControlPlane, waitFor, type PlatformProcess, type TestControlPlane } from '@tollgate/testing';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HttpLogReceiver, TcpLogReceiver } from '../../apps/data-plane/test/support/log-receivers';
import { OtlpReceiver } from '../../apps/data-plane/test/support/otlp-receiver';

jest.setTimeout(120_000);

/** One GET on a fresh connection (so the node's workers share the calls), status and headers. */
function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    const req = request(url, { agent: false, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', () => resolve({ status: 0, body: '' }));
    req.end();
  });
}

describe('observability plugins through the admin API and config sync', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-observe-'));
  const logFile = join(dir, 'calls.log');
  let cp: TestControlPlane;
  let upstream: Server;
  let httpLogs: HttpLogReceiver;
  let tcpLogs: TcpLogReceiver;
  let otlp: OtlpReceiver;
  let dp: PlatformProcess | null = null;
  let proxy = '';
  let status = '';

  beforeAll(async () => {
    cp = await startTestControlPlane('observe_plugins');
    upstream = createServer((req, res) => res.end(JSON.stringify({ traceparent: req.headers.traceparent ?? null })));
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    [httpLogs, tcpLogs, otlp] = await Promise.all([HttpLogReceiver.start(), TcpLogReceiver.start(), OtlpReceiver.start()]);
  });

  afterAll(async () => {
    await dp?.stop('SIGKILL');
    await cp.stop();
    await new Promise((resolve) => upstream.close(resolve));
    await Promise.all([httpLogs.down(), tcpLogs.down(), otlp.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses unknown config fields and Lua code, naming the field', async () => {
    const admin = adminClient(cp.adminUrl);
    const unknown = await admin.post('/plugins', { name: 'http-log', config: { http_endpoint: httpLogs.url, batch: 10 } });
    expect(unknown.status).toBe(400);
    expect(unknown.body).toMatchObject({ code: 2, name: 'schema violation', fields: { config: { batch: 'unknown field' } } });
    const nested = await admin.post('/plugins', { name: 'opentelemetry', config: { traces_endpoint: otlp.url, queue: { size: 1 } } });
    expect(nested.status).toBe(400);
    expect(nested.body).toMatchObject({ fields: { config: { queue: { size: 'unknown field' } } } });
    const lua = await admin.post('/plugins', { name: 'file-log', config: { path: logFile, custom_fields_by_lua: { route: 'return nil' } } });
    expect(lua.status).toBe(400);
    expect(lua.body).toMatchObject({ fields: { config: { custom_fields_by_lua: { route: expect.stringContaining('Lua code is not supported') } } } });
  });

  it('takes Kong\'s form bodies for nested queue fields (README\'s curl lines)', async () => {
    const post = (body: string) =>
      fetch(`${cp.adminUrl}/plugins`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body }).then(async (r) => ({ status: r.status, body: (await r.json()) as { id: string; config: Record<string, unknown> } }));
    const prometheus = await post('name=prometheus&config.status_code_metrics=true');
    expect([prometheus.status, prometheus.body.config.status_code_metrics]).toEqual([201, true]);
    const httpLog = await post(`name=http-log&config.http_endpoint=${encodeURIComponent(httpLogs.url)}&config.queue.max_batch_size=100`);
    expect(httpLog.status).toBe(201);
    expect(httpLog.body.config.queue).toMatchObject({ max_batch_size: 100, max_coalescing_delay: 1 });
    const admin = adminClient(cp.adminUrl);
    for (const id of [prometheus.body.id, httpLog.body.id]) expect((await admin.delete(`/plugins/${id}`)).status).toBe(204);
  });

  it('syncs prometheus, http-log, tcp-log, file-log and opentelemetry to a two-worker node, which reports every call', async () => {
    const admin = adminClient(cp.adminUrl);
    const port = (upstream.address() as { port: number }).port;
    const created = [
      await admin.post('/services', { name: 'echo', url: `http://127.0.0.1:${port}` }),
      await admin.post('/services/echo/routes', { name: 'observed', paths: ['/observed'] }),
      await admin.post('/plugins', { name: 'prometheus', config: { status_code_metrics: true, latency_metrics: true, bandwidth_metrics: true } }),
      await admin.post('/services/echo/plugins', { name: 'http-log', config: { http_endpoint: `${httpLogs.url}/logs`, queue: { max_batch_size: 10, max_coalescing_delay: 0.1 } } }),
      await admin.post('/routes/observed/plugins', { name: 'tcp-log', config: { host: '127.0.0.1', port: tcpLogs.port } }),
      await admin.post('/routes/observed/plugins', { name: 'file-log', config: { path: logFile } }),
      await admin.post('/routes/observed/plugins', { name: 'opentelemetry', config: { traces_endpoint: otlp.url, queue: { max_coalescing_delay: 0.1 } } }),
    ];
    for (const res of created) expect([res.status, res.body]).toEqual([201, expect.anything()]);

    const [proxyPort, statusPort] = [await freePort(), await freePort()];
    proxy = `http://127.0.0.1:${proxyPort}`;
    status = `http://127.0.0.1:${statusPort}`;
    dp = startPlatformProcess('data-plane', {
      TOLLGATE_CONTROL_PLANE: cp.clusterAddress,
      TOLLGATE_CLUSTER_MTLS: 'off',
      TOLLGATE_PROXY_LISTEN: `127.0.0.1:${proxyPort}`,
      TOLLGATE_PROXY_SSL_LISTEN: 'off',
      TOLLGATE_STATUS_LISTEN: `127.0.0.1:${statusPort}`,
      TOLLGATE_PREFIX: join(dir, 'dp'),
      TOLLGATE_WORKERS: '2',
      TOLLGATE_USAGE: 'off',
    });
    await waitFor('the node proxying the route', async () => (await get(`${proxy}/observed`)).status === 200, 45_000).catch((err) => {
      throw new Error(`${String(err)}\n${dp!.output()}`);
    });
    const calls = 40;
    const traceparents: string[] = [];
    for (let i = 0; i < calls; i++) {
      const reply = await get(`${proxy}/observed/${i}`);
      expect(reply.status).toBe(200);
      traceparents.push((JSON.parse(reply.body) as { traceparent: string }).traceparent);
    }
    const total = calls + 1; // and the call that found the route synced

    await httpLogs.waitForEntries(total, 20_000);
    await tcpLogs.waitForEntries(total, 20_000);
    await waitFor('the file-log lines', async () => existsSync(logFile) && readFileSync(logFile, 'utf8').split('\n').filter(Boolean).length === total, 20_000);
    const uris = (entries: { request: { uri: string } }[]) => new Set(entries.map((e) => e.request.uri));
    for (const entries of [httpLogs.entries<{ request: { uri: string } }>(), tcpLogs.entries<{ request: { uri: string } }>()]) {
      expect(entries).toHaveLength(total);
      expect(uris(entries).size).toBe(total);
    }
    // Every call's trace came out, its root span under the trace id the upstream was given.
    for (const tp of traceparents) await otlp.waitForTrace(tp.split('-')[1]!, 4, 20_000);

    // One count for the node, whichever worker served each call.
    await waitFor('the summed counter', async () => (await get(`${status}/metrics`)).body.includes(`kong_http_requests_total{service="echo",route="observed",code="200",source="service",workspace="default",consumer=""} ${total}`), 10_000);
    const metrics = (await get(`${status}/metrics`)).body;
    expect(metrics).toContain(`kong_request_latency_ms_count{service="echo",route="observed",workspace="default"} ${total}`);
    expect(metrics).toMatch(/kong_bandwidth_bytes\{service="echo",route="observed",direction="egress",workspace="default",consumer=""\} \d+/);
    expect(metrics).toMatch(new RegExp(`tollgate_log_queue_sent_total\\{plugin="http-log",queue="http-log:[0-9a-f]+"\\} ${total}`));
  });
});
