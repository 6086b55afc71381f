/**
 * The observability plugins from a Kong declarative file, on a data-plane node of two cluster
 * workers started as an operator starts it: what each worker logged reaches the receivers, the
 * node's /metrics sums the workers, and a SIGTERM flushes what the workers' queues still hold.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDataPlaneProcess, type DataPlaneProcess } from './support/data-plane-process';
import { startEchoUpstream, type EchoUpstream } from './support/echo-upstream';
import { HttpLogReceiver, TcpLogReceiver } from './support/log-receivers';
import { OtlpReceiver } from './support/otlp-receiver';
import { send } from './support/test-data-plane';

jest.setTimeout(90_000);

describe('observability plugins from a declarative file, on two workers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-observe-decl-'));
  const logFile = join(dir, 'calls.log');
  let upstream: EchoUpstream;
  let httpLogs: HttpLogReceiver;
  let tcpLogs: TcpLogReceiver;
  let otlp: OtlpReceiver;
  let node: DataPlaneProcess;

  beforeAll(async () => {
    upstream = await startEchoUpstream();
    [httpLogs, tcpLogs, otlp] = await Promise.all([HttpLogReceiver.start(), TcpLogReceiver.start(), OtlpReceiver.start()]);
    const file = join(dir, 'kong.yml');
    writeFileSync(
      file,
      `_format_version: "3.0"
services:
  - name: echo
    url: http://127.0.0.1:${upstream.port}
    routes:
      - name: observed
        paths: [/observed]
    plugins:
      - name: http-log
        config:
          http_endpoint: ${httpLogs.url}/logs
          # Held until the node stops: the shutdown flush is what sends them.
          queue: { max_batch_size: 1000, max_coalescing_delay: 3600 }
      - name: tcp-log
        config: { host: 127.0.0.1, port: ${tcpLogs.port} }
      - name: file-log
        config: { path: ${logFile} }
      - name: opentelemetry
        config: { endpoint: ${otlp.url}, queue: { max_coalescing_delay: 0.1 } }
plugins:
  - name: prometheus
    config: { status_code_metrics: true, latency_metrics: true, per_consumer: true }
`,
    );
    // Round-robin, so both workers serve calls and each holds a batch (SCHED_NONE may pick one worker).
    node = await startDataPlaneProcess(file, join(dir, 'prefix'), { TOLLGATE_WORKERS: '2', NODE_CLUSTER_SCHED_POLICY: 'rr' });
  });

  afterAll(async () => {
    await node?.stop();
    await Promise.all([upstream.close(), httpLogs.down(), tcpLogs.down(), otlp.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports every call through the workers, and flushes the held queue on SIGTERM', async () => {
    const calls = 30;
    for (let i = 0; i < calls; i++) {
      // A fresh connection each time, so both workers serve calls.
      const reply = await send(`${node.proxy}/observed/${i}`, { headers: { traceparent: `00-${String(i + 1).padStart(32, 'a')}-00f067aa0ba902b7-01` } });
      expect(reply.status).toBe(200);
    }
    await tcpLogs.waitForEntries(calls, 20_000);
    for (let i = 0; i < calls; i++) await otlp.waitForTrace(String(i + 1).padStart(32, 'a'), 4, 20_000);
    const deadline = Date.now() + 20_000;
    while (!(existsSync(logFile) && readFileSync(logFile, 'utf8').split('\n').filter(Boolean).length === calls)) {
      if (Date.now() > deadline) throw new Error('file-log lines missing');
      await new Promise((done) => setTimeout(done, 50));
    }
    const metrics = (await send(`${node.status}/metrics`)).body;
    expect(metrics).toContain(`kong_http_requests_total{service="echo",route="observed",code="200",source="service",workspace="default",consumer=""} ${calls}`);
    expect(metrics).toContain(`kong_kong_latency_ms_count{service="echo",route="observed",workspace="default"} ${calls}`);
    // Both workers hold part of the http-log entries, unsent until the node stops.
    expect(httpLogs.requests).toHaveLength(0);
    expect(metrics).toMatch(new RegExp(`tollgate_log_queue_entries\\{plugin="http-log",queue="http-log:[0-9a-f]+"\\} ${calls}`));

    expect(await node.stop()).toBe(0);
    expect(httpLogs.entries()).toHaveLength(calls);
    // One batch from each worker's own queue (the node deals connections round-robin here).
    expect(httpLogs.requests).toHaveLength(2);
  });
});
