/**
 * file-log and tcp-log against a real upstream and a real data plane. Cases translated from Kong's
 * spec/03-plugins/04-file-log/01-log_spec.lua and spec/03-plugins/01-tcp-log/01-tcp-log_spec.lua
 * (their `it(...)` names beside each).
 */
import { generateSharedClusterCertificate } from '@tollgate/protocol';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunningDataPlane } from '../src/data-plane';
import { plugin, route, service, snapshot } from './support/config-fixtures';
import { startEchoUpstream, type EchoUpstream } from './support/echo-upstream';
import { TcpLogReceiver } from './support/log-receivers';
import { send, startTestDataPlane } from './support/test-data-plane';

jest.setTimeout(60_000);

interface Entry {
  request: { uri: string; method: string };
  response: { status: number };
  latencies: { kong: number; proxy: number; request: number };
  tries: unknown;
  client_ip: string;
}

async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((done) => setTimeout(done, 20));
  }
}

const lines = (file: string): Entry[] =>
  existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as Entry)
    : [];

describe('file-log and tcp-log', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-file-log-'));
  const files = { kept: join(dir, 'kept.log'), reopened: join(dir, 'reopened.log'), missingDir: join(dir, 'no-such-dir', 'x.log') };
  let upstream: EchoUpstream;
  let dp: RunningDataPlane;
  let tcp: TcpLogReceiver;
  let tls: TcpLogReceiver;

  beforeAll(async () => {
    upstream = await startEchoUpstream();
    tcp = await TcpLogReceiver.start();
    tls = await TcpLogReceiver.start(generateSharedClusterCertificate(1));
    dp = await startTestDataPlane();
    const echo = service({ host: '127.0.0.1', port: upstream.port });
    const r = (path: string) => route(echo, { paths: [path], name: path.slice(1) });
    const routes = { kept: r('/kept'), reopened: r('/reopened'), missing: r('/missing'), tcp: r('/tcp'), tls: r('/tls') };
    const result = await dp.applySnapshot(
      snapshot({
        services: [echo],
        routes: Object.values(routes),
        plugins: [
          plugin('file-log', { path: files.kept }, { route: routes.kept }),
          plugin('file-log', { path: files.reopened, reopen: true }, { route: routes.reopened }),
          plugin('file-log', { path: files.missingDir }, { route: routes.missing }),
          plugin('tcp-log', { host: '127.0.0.1', port: tcp.port }, { route: routes.tcp }),
          plugin('tcp-log', { host: '127.0.0.1', port: tls.port, tls: true, tls_sni: 'logs.example.test' }, { route: routes.tls }),
        ],
      }),
    );
    expect(result).toEqual({ ok: true });
  });

  afterAll(async () => {
    await dp.close();
    await Promise.all([upstream.close(), tcp.down(), tls.down()]);
    rmSync(dir, { recursive: true, force: true });
  });

  // 04-file-log/01-log_spec.lua: it("logs to file")
  it('file-log appends one JSON line per call, the file created with mode 0644', async () => {
    expect((await send(`${dp.proxyUrl}/kept/a`)).status).toBe(200);
    expect((await send(`${dp.proxyUrl}/kept/b`, { method: 'POST', body: 'x' })).status).toBe(200);
    await until(() => lines(files.kept).length === 2, 'two lines in the file');
    const [a, b] = lines(files.kept);
    expect(a).toMatchObject({ request: { uri: '/kept/a', method: 'GET' }, response: { status: 200 }, client_ip: '127.0.0.1' });
    expect(b).toMatchObject({ request: { uri: '/kept/b', method: 'POST' } });
    expect(statSync(files.kept).mode & 0o777).toBe(0o644 & ~process.umask());
  });

  // 04-file-log/01-log_spec.lua: it("logs are lost if reopen = false and file doesn't exist")
  it('file-log without reopen keeps writing to the file it opened, so entries after its removal are lost', async () => {
    rmSync(files.kept);
    expect((await send(`${dp.proxyUrl}/kept/c`)).status).toBe(200);
    await new Promise((done) => setTimeout(done, 300));
    expect(existsSync(files.kept)).toBe(false);
  });

  // 04-file-log/01-log_spec.lua: it("reopens file on each request")
  it('file-log with reopen recreates a removed file', async () => {
    expect((await send(`${dp.proxyUrl}/reopened/1`)).status).toBe(200);
    await until(() => lines(files.reopened).length === 1, 'the first line');
    rmSync(files.reopened);
    expect((await send(`${dp.proxyUrl}/reopened/2`)).status).toBe(200);
    await until(() => lines(files.reopened).length === 1, 'the recreated file');
    expect(lines(files.reopened)[0]!.request.uri).toBe('/reopened/2');
  });

  // 04-file-log/01-log_spec.lua: it("does not create log file if directory doesn't exist")
  it('file-log does not create a missing directory, and the call is proxied as usual', async () => {
    expect((await send(`${dp.proxyUrl}/missing`)).status).toBe(200);
    await new Promise((done) => setTimeout(done, 300));
    expect(existsSync(join(dir, 'no-such-dir'))).toBe(false);
    expect((await send(`${dp.statusUrl}/metrics`)).body).toMatch(/tollgate_log_queue_failed_total\{plugin="file-log",queue="file-log:[0-9a-f]+"\} 1/);
  });

  // 01-tcp-log/01-tcp-log_spec.lua: it("logs to TCP") and it("logs proper latencies")
  it('tcp-log sends one JSON line per call with Kong\'s latencies', async () => {
    const before = tcp.lines.length;
    expect((await send(`${dp.proxyUrl}/tcp/one`)).status).toBe(200);
    await tcp.waitForEntries(before + 1);
    const entry = tcp.entries<Entry>()[before]!;
    expect(entry).toMatchObject({ request: { uri: '/tcp/one' }, response: { status: 200 }, client_ip: '127.0.0.1' });
    expect(entry.latencies.proxy).toBeGreaterThanOrEqual(0);
    expect(entry.latencies.request).toBeGreaterThanOrEqual(entry.latencies.proxy);
    expect(entry.latencies.kong).toBeGreaterThanOrEqual(0);
    // it("tries field encoded as JSON array instead of object #6390")
    expect(Array.isArray(entry.tries)).toBe(true);
  });

  // 01-tcp-log/01-tcp-log_spec.lua: it("performs a TLS handshake on the remote TCP server")
  it('tcp-log speaks TLS with the configured SNI', async () => {
    expect((await send(`${dp.proxyUrl}/tls/secure`)).status).toBe(200);
    await tls.waitForEntries(1);
    expect(tls.entries<Entry>()[0]!.request.uri).toBe('/tls/secure');
    expect(tls.servernames[0]).toBe('logs.example.test');
  });

  it('tcp-log loses nothing within the queue bound while the receiver is down and comes back; calls are unaffected', async () => {
    const before = tcp.lines.length;
    await tcp.down();
    for (let i = 0; i < 30; i++) {
      const started = performance.now();
      expect((await send(`${dp.proxyUrl}/tcp/down-${i}`)).status).toBe(200);
      expect(performance.now() - started).toBeLessThan(1000);
    }
    await new Promise((done) => setTimeout(done, 200));
    await tcp.up();
    await tcp.waitForEntries(before + 30, 30_000);
    expect(tcp.entries<Entry>().slice(before).map((e) => e.request.uri)).toEqual(Array.from({ length: 30 }, (_, i) => `/tcp/down-${i}`));
  });
});
