import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startDataPlaneProcess, type DataPlaneProcess } from './support/data-plane-process';
import { startEchoUpstream, type Echo, type EchoUpstream } from './support/echo-upstream';
import { loadInitialSnapshot } from '../src/config/initial-config';
import { readHeaderPolicy } from '../src/proxy/header-policy';
import type { RunningDataPlane } from '../src/data-plane';
import { route, service, snapshot } from './support/config-fixtures';
import { json, send, startTestDataPlane, type Reply } from './support/test-data-plane';

/**
 * Data-plane processes started as an operator starts them, with Kong's `headers` and
 * `headers_upstream` settings as TOLLGATE_HEADERS / TOLLGATE_HEADERS_UPSTREAM, serving a Kong
 * declarative file. Cases translated from spec/02-integration/05-proxy/14-server_tokens_spec.lua
 * and 33-request-id-header_spec.lua (each `it` names the Kong case).
 */
const SERVER_TOKEN = /^tollgate\/\d+\.\d+\.\d+$/;
const VIA_TOKEN = '1.1 tollgate/0.1.0';
const HEX = /^[0-9a-f]+$/;

function declarativeFile(upstreamPort: number, closedPort: number): string {
  return [
    '_format_version: "3.0"',
    'services:',
    '- name: echo',
    `  url: http://127.0.0.1:${upstreamPort}`,
    '  routes:',
    '  - { name: inspect, hosts: [headers-inspect.test] }',
    // Kong issue 18: a route path in PCRE syntax refused the whole file.
    "  - { name: pcre, paths: ['~/status/(?P<foo>re)', '~\\A/atomic/(?>a+)b\\z'], strip_path: false }",
    '  - name: auth',
    '    hosts: [short-circuit.test]',
    '    plugins: [{ name: key-auth }]',
    '- name: down',
    `  url: http://127.0.0.1:${closedPort}`,
    '  retries: 0',
    '  routes: [{ name: down, hosts: [502.test] }]',
  ].join('\n');
}

describe('TOLLGATE_HEADERS and TOLLGATE_HEADERS_UPSTREAM (Kong headers / headers_upstream), data-plane processes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-kong-headers-'));
  let upstream: EchoUpstream;
  const processes: DataPlaneProcess[] = [];
  const planes: RunningDataPlane[] = [];
  const nodes: Record<string, { proxy: string }> = {};

  beforeAll(async () => {
    upstream = await startEchoUpstream();
    const file = join(dir, 'kong.yml');
    writeFileSync(file, declarativeFile(upstream.port, await freePort()));
    // Two processes read the settings from the environment as an operator's node does; started one
    // after the other, as several at once outlast the readiness wait on a loaded machine.
    const environments: Record<string, Record<string, string>> = { default: {}, off: { TOLLGATE_HEADERS: 'off', TOLLGATE_HEADERS_UPSTREAM: 'off' } };
    for (const [name, env] of Object.entries(environments)) {
      const node = await startDataPlaneProcess(file, join(dir, name), env);
      processes.push(node);
      nodes[name] = node;
    }
    // Two more settings on in-process data planes serving the same file.
    const initial = (await loadInitialSnapshot({ declarativeConfig: file, prefix: join(dir, 'in-process') }))!.snapshot;
    for (const [name, headers] of Object.entries({ serverTokensOffProxyLatency: 'server_tokens, off, X-Kong-Proxy-Latency', upstreamLatency: 'X-Kong-Upstream-Latency' })) {
      const dp = await startTestDataPlane({ headers: readHeaderPolicy(headers) });
      planes.push(dp);
      expect(await dp.applySnapshot({ ...initial, version: 1 })).toEqual({ ok: true });
      nodes[name] = { proxy: dp.proxyUrl };
    }
  }, 90_000);

  afterAll(async () => {
    await Promise.all([...processes.map((node) => node.stop()), ...planes.map((dp) => dp.close())]);
    await upstream.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const get = (node: string, path: string, host: string, headers: Record<string, string> = {}): Promise<Reply> =>
    send(`${nodes[node]!.proxy}${path}`, { headers: { host, ...headers } });

  it('serves a declarative file whose regex paths use PCRE syntax (named groups, \\A, \\z, atomic groups)', async () => {
    expect((await get('default', '/status/re', 'any.test')).status).toBe(200);
    expect(json<Echo>(await get('default', '/atomic/aaab', 'any.test')).url).toBe('/atomic/aaab');
    expect((await get('default', '/atomic/aaabc', 'any.test')).status).toBe(404);
  });

  describe('(with default configuration values)', () => {
    it("should return Kong 'Via' header but not change the 'Server' header when request was proxied", async () => {
      const reply = await get('default', '/server-via', 'headers-inspect.test');
      expect(reply.status).toBe(200);
      expect(reply.headers.server).toBe('echo-server');
      expect(reply.headers.via).toBe(`1.1 echo, ${VIA_TOKEN}`);
      // An upstream that sends no Server gets Tollgate's, as Kong puts its own in place of openresty's.
      expect((await get('default', '/', 'headers-inspect.test')).headers.server).toMatch(SERVER_TOKEN);
    });

    it("should return Kong 'Server' header but not the Kong 'Via' header when no API matched (no proxy)", async () => {
      const reply = await get('default', '/', 'nowhere.test');
      expect(reply.status).toBe(404);
      expect(reply.headers.server).toMatch(SERVER_TOKEN);
      expect(reply.headers.via).toBeUndefined();
    });

    it('X-Kong-Proxy-Latency/X-Kong-Upstream-Latency: should be returned when request was proxied', async () => {
      const reply = await get('default', '/', 'headers-inspect.test');
      expect(Number(reply.headers['x-kong-upstream-latency'])).toBeGreaterThanOrEqual(0);
      expect(Number(reply.headers['x-kong-proxy-latency'])).toBeGreaterThanOrEqual(0);
      expect(reply.headers['x-kong-response-latency']).toBeUndefined();
    });

    it('should not be returned when no API matched (no proxy), nor when request is short-circuited', async () => {
      for (const reply of [await get('default', '/', 'nowhere.test'), await get('default', '/', 'short-circuit.test')]) {
        expect([404, 401]).toContain(reply.status);
        expect(reply.headers['x-kong-upstream-latency']).toBeUndefined();
        expect(reply.headers['x-kong-proxy-latency']).toBeUndefined();
        expect(Number(reply.headers['x-kong-response-latency'])).toBeGreaterThanOrEqual(0);
      }
    });

    it('should be returned with 502 errors (error_page executing)', async () => {
      const reply = await get('default', '/', '502.test');
      expect(reply.status).toBe(502);
      expect(reply.headers['x-kong-upstream-latency']).toBeDefined();
      expect(reply.headers['x-kong-proxy-latency']).toBeDefined();
      expect(reply.headers['x-kong-response-latency']).toBeUndefined();
    });

    // 33-request-id-header_spec.lua (downstream) "contains the expected value", "should be populated when no API matched"
    it('X-Kong-Request-Id (downstream): contains the expected value, also when no API matched', async () => {
      expect((await get('default', '/', 'headers-inspect.test')).headers['x-kong-request-id']).toMatch(HEX);
      const missed = await get('default', '/', 'nowhere.test');
      expect(json(missed)).toEqual({ message: 'no Route matched with those values' });
      expect(missed.headers['x-kong-request-id']).toMatch(HEX);
    });

    // 33-request-id-header_spec.lua (upstream) "contains the expected value", "overwrites client value if any"
    it('X-Kong-Request-Id (upstream): contains the expected value, and overwrites client value if any', async () => {
      const reply = await get('default', '/', 'headers-inspect.test', { 'X-Kong-Request-Id': 'client-value' });
      const sent = json<Echo>(reply).headers['x-kong-request-id'];
      expect(sent).toMatch(HEX);
      expect(sent).toBe(reply.headers['x-kong-request-id']);
    });
  });

  describe('(with no server_tokens in headers) / [headers=off], [headers_upstream=off]', () => {
    it("should not return Kong 'Via' header but it should forward the 'Server' header when request was proxied", async () => {
      const reply = await get('off', '/server-via', 'headers-inspect.test');
      expect(reply.headers.server).toBe('echo-server');
      expect(reply.headers.via).toBe('1.1 echo');
      const plain = await get('off', '/', 'headers-inspect.test');
      expect(plain.headers.via).toBeUndefined();
      expect(plain.headers.server).toBeUndefined();
    });

    it("should not return Kong 'Server' or 'Via' headers when no API matched (no proxy)", async () => {
      const reply = await get('off', '/', 'nowhere.test');
      expect(reply.status).toBe(404);
      expect(reply.headers.server).toBeUndefined();
      expect(reply.headers.via).toBeUndefined();
    });

    it('latency headers: should not be returned when request was proxied, nor when no API matched', async () => {
      for (const reply of [await get('off', '/', 'headers-inspect.test'), await get('off', '/', 'nowhere.test')]) {
        for (const name of ['x-kong-upstream-latency', 'x-kong-proxy-latency', 'x-kong-response-latency']) expect(reply.headers[name]).toBeUndefined();
      }
    });

    it('X-Kong-Request-Id is nil downstream, and not injected upstream (the client value passes)', async () => {
      const reply = await get('off', '/', 'headers-inspect.test', { 'X-Kong-Request-Id': 'client-value' });
      expect(reply.headers['x-kong-request-id']).toBeUndefined();
      expect(json<Echo>(reply).headers['x-kong-request-id']).toBe('client-value');
    });
  });

  describe("(with headers='server_tokens, off, X-Kong-Proxy-Latency')", () => {
    it("should return Kong 'Via' and 'X-Kong-Proxy-Latency' header as 'off' will not take effect", async () => {
      const reply = await get('serverTokensOffProxyLatency', '/', 'headers-inspect.test');
      expect(reply.headers.via).toBe(VIA_TOKEN);
      expect(reply.headers['x-kong-proxy-latency']).toBeDefined();
      expect(reply.headers['x-kong-response-latency']).toBeUndefined();
    });

    it("should return Kong 'Server' header as 'off' will not take effect", async () => {
      const reply = await get('serverTokensOffProxyLatency', '/', 'nowhere.test');
      expect(reply.headers.server).toMatch(SERVER_TOKEN);
      expect(reply.headers.via).toBeUndefined();
      expect(reply.headers['x-kong-proxy-latency']).toBeUndefined();
      expect(reply.headers['x-kong-response-latency']).toBeUndefined();
    });
  });

  describe('(with headers = X-Kong-Upstream-Latency)', () => {
    it("should return 'X-Kong-Upstream-Latency' header but not 'X-Kong-Proxy-Latency' when request was proxied", async () => {
      const reply = await get('upstreamLatency', '/', 'headers-inspect.test');
      expect(reply.headers['x-kong-upstream-latency']).toBeDefined();
      expect(reply.headers['x-kong-proxy-latency']).toBeUndefined();
      expect(reply.headers['x-kong-response-latency']).toBeUndefined();
    });

    it('should not return any latency header when no API matched (no proxy)', async () => {
      const reply = await get('upstreamLatency', '/', 'nowhere.test');
      for (const name of ['x-kong-upstream-latency', 'x-kong-proxy-latency', 'x-kong-response-latency']) expect(reply.headers[name]).toBeUndefined();
    });
  });
});

describe('spec/02-integration/05-proxy/15-upstream-status-header_spec.lua (in-process data planes)', () => {
  let upstream: EchoUpstream;
  const planes: RunningDataPlane[] = [];

  beforeAll(async () => {
    upstream = await startEchoUpstream();
  });

  afterAll(async () => {
    await Promise.all(planes.map((dp) => dp.close()));
    await upstream.close();
  });

  async function planeWith(headers?: string): Promise<RunningDataPlane> {
    const dp = await startTestDataPlane(headers === undefined ? {} : { headers: readHeaderPolicy(headers) });
    planes.push(dp);
    const svc = service({ host: '127.0.0.1', port: upstream.port });
    const down = service({ host: '127.0.0.1', port: await freePort(), retries: 0 });
    const outcome = await dp.applySnapshot(snapshot({ services: [svc, down], routes: [route(svc, { paths: ['/status/200'] }), route(down, { paths: ['/down'] })] }));
    expect(outcome).toEqual({ ok: true });
    return dp;
  }

  it('is not injected with default configuration', async () => {
    const dp = await planeWith();
    expect((await send(`${dp.proxyUrl}/status/200`)).headers['x-kong-upstream-status']).toBeUndefined();
  });

  it('is injected with configuration [headers=X-Kong-Upstream-Status]; should be same as upstream status code', async () => {
    const dp = await planeWith('X-Kong-Upstream-Status');
    const reply = await send(`${dp.proxyUrl}/status/200`);
    expect(reply.status).toBe(200);
    expect(reply.headers['x-kong-upstream-status']).toBe('200');
    expect(reply.headers.server).toBeUndefined();
    // No answer from the upstream: the status the gateway answered, as Kong reports it.
    expect((await send(`${dp.proxyUrl}/down`)).headers['x-kong-upstream-status']).toBe('502');
  });
});
