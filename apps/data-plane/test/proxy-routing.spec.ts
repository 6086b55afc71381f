import { Agent, request } from 'undici';
import type { RunningDataPlane } from '../src/data-plane';
import { route, service, snapshot } from './support/config-fixtures';
import { startEchoUpstream, type Echo, type EchoUpstream } from './support/echo-upstream';
import { json, send, sendRaw, startTestDataPlane } from './support/test-data-plane';

describe('proxying: routing, paths, forwarded headers', () => {
  let upstream: EchoUpstream;
  let other: EchoUpstream;
  let dp: RunningDataPlane;

  beforeAll(async () => {
    [upstream, other] = await Promise.all([startEchoUpstream(), startEchoUpstream()]);
    dp = await startTestDataPlane();
    const echo = service({ host: '127.0.0.1', port: upstream.port, path: '/base' });
    const echo2 = service({ host: '127.0.0.1', port: other.port });
    const outcome = await dp.applySnapshot(
      snapshot({
        services: [echo, echo2],
        routes: [
          route(echo, { paths: ['/strip'] }),
          route(echo, { paths: ['/keep'], strip_path: false }),
          route(echo, { paths: ['/preserve'], preserve_host: true }),
          route(echo2, { hosts: ['other.test'] }),
          route(echo2, { paths: ['/secure'], protocols: ['https'] }),
          route(echo2, { paths: ['/moved'], protocols: ['https'], https_redirect_status_code: 301 }),
        ],
      }),
    );
    expect(outcome).toEqual({ ok: true });
  });

  afterAll(async () => {
    await dp.close();
    await Promise.all([upstream.close(), other.close()]);
  });

  it('routes by path to the right service, stripping the matched prefix onto the service path', async () => {
    const reply = await send(`${dp.proxyUrl}/strip/items?page=2`);
    expect(reply.status).toBe(200);
    expect(reply.headers['x-upstream']).toBe('echo');
    expect(json<Echo>(reply).url).toBe('/base/items?page=2');
  });

  it('keeps the path when strip_path is false', async () => {
    expect(json<Echo>(await send(`${dp.proxyUrl}/keep/items`)).url).toBe('/base/keep/items');
  });

  it('routes by host to another service', async () => {
    const reply = await send(`${dp.proxyUrl}/anything`, { headers: { host: 'other.test' } });
    expect(json<Echo>(reply).url).toBe('/anything');
    expect(json<Echo>(reply).remotePort).toBeGreaterThan(0);
  });

  it('sends the service host upstream unless the route preserves the client Host', async () => {
    const plain = json<Echo>(await send(`${dp.proxyUrl}/strip`, { headers: { host: 'client.test:9999' } }));
    expect(plain.headers.host).toBe(`127.0.0.1:${upstream.port}`);
    const preserved = json<Echo>(await send(`${dp.proxyUrl}/preserve`, { headers: { host: 'client.test:9999' } }));
    expect(preserved.headers.host).toBe('client.test:9999');
  });

  it('adds X-Forwarded-*, X-Real-IP and Via, appending to what the client sent', async () => {
    const port = new URL(dp.proxyUrl).port;
    const echo = json<Echo>(
      await send(`${dp.proxyUrl}/strip/x?y=1`, { headers: { host: 'api.test:8000', 'x-forwarded-for': '203.0.113.9', via: '1.0 edge' } }),
    );
    expect(echo.headers).toMatchObject({
      'x-forwarded-for': '203.0.113.9, 127.0.0.1',
      'x-forwarded-proto': 'http',
      'x-forwarded-host': 'api.test',
      'x-forwarded-port': port,
      'x-forwarded-path': '/strip/x',
      'x-real-ip': '127.0.0.1',
      via: '1.0 edge, 1.1 tollgate/0.1.0',
    });
  });

  it('removes hop-by-hop headers both ways, including those named in Connection', async () => {
    const reply = await send(`${dp.proxyUrl}/strip/hop-by-hop`, {
      headers: { connection: 'keep-alive, X-Secret', 'x-secret': 's', 'keep-alive': 'timeout=5', te: 'trailers', 'proxy-authorization': 'Basic x' },
    });
    expect(reply.headers['x-hop']).toBeUndefined();
    expect(reply.headers['x-kept']).toBe('yes');
    expect(reply.headers.via).toBe('1.1 tollgate/0.1.0');
    const echo = json<Echo>(await send(`${dp.proxyUrl}/strip`, { headers: { connection: 'keep-alive, X-Secret', 'x-secret': 's', te: 'deflate', proxy: 'x' } }));
    for (const name of ['x-secret', 'te', 'proxy', 'keep-alive']) expect(echo.headers[name]).toBeUndefined();
  });

  it("reports the latency spent upstream and in the gateway, under Kong's names", async () => {
    const reply = await send(`${dp.proxyUrl}/strip`);
    expect(Number(reply.headers['x-kong-upstream-latency'])).toBeGreaterThanOrEqual(0);
    expect(Number(reply.headers['x-kong-proxy-latency'])).toBeGreaterThanOrEqual(0);
  });

  it("answers Kong's 404 body when no route matches", async () => {
    const reply = await send(`${dp.proxyUrl}/nowhere`);
    expect(reply.status).toBe(404);
    expect(json(reply)).toEqual({ message: 'no Route matched with those values' });
  });

  it('answers 426 on http for an https-only route, or its redirect status', async () => {
    const reply = await send(`${dp.proxyUrl}/secure`);
    expect(reply.status).toBe(426);
    expect(json(reply)).toEqual({ message: 'Please use HTTPS protocol' });
    // As Kong answers it (runloop handler.lua): how to upgrade.
    expect(reply.headers.upgrade).toBe('TLS/1.2, HTTP/1.1');
    expect(reply.headers.connection).toBe('Upgrade');
    const moved = await send(`${dp.proxyUrl}/moved/x?q=1`, { headers: { host: 'api.test' } });
    expect(moved.status).toBe(301);
    expect(moved.headers.location).toBe('https://api.test/moved/x?q=1');
  });

  it('relays chunked responses and chunked request bodies', async () => {
    const reply = await sendRaw(
      dp.proxyUrl,
      'POST /strip/chunked HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\nhello\r\n0\r\n\r\n',
    );
    expect(reply).toMatch(/^HTTP\/1.1 200/);
    expect(reply.toLowerCase()).toContain('transfer-encoding: chunked');
    expect(reply).toContain('first,');
    expect(reply).toContain('second');
    const echo = JSON.parse(
      (await sendRaw(dp.proxyUrl, 'POST /strip HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n'))
        .split('\r\n\r\n')[1]!
        .replace(/^[0-9a-f]+\r\n/, '')
        .replace(/\r\n0\r\n$/, ''),
    ) as Echo;
    // Re-framed as the proxy sees fit (a body already complete may go with a Content-Length).
    expect(echo.body).toBe('hello world');
  });

  it('reuses keep-alive connections to clients and to upstreams', async () => {
    const agent = new Agent({ connections: 1 });
    const before = upstream.connections;
    const ports = new Set<number>();
    for (let i = 0; i < 5; i++) {
      const res = await request(`${dp.proxyUrl}/strip`, { dispatcher: agent });
      ports.add(((await res.body.json()) as Echo).remotePort);
    }
    await agent.close();
    expect(ports.size).toBe(1);
    expect(upstream.connections - before).toBeLessThanOrEqual(1);
  });
});
