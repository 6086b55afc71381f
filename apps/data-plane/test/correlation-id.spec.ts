/** Kong's spec/03-plugins/11-correlation-id/01-access_spec.lua, translated. */
import type { RunningDataPlane } from '../src/data-plane';
import { plugin, route, service, snapshot } from './support/config-fixtures';
import { startEchoUpstream, type Echo, type EchoUpstream } from './support/echo-upstream';
import { json, send, startTestDataPlane } from './support/test-data-plane';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const UUID_COUNTER = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})#(\d+)$/;
const TRACKER = /^[0-9a-f.:]+-\d+-\d+-\d+-\d+-\d+\.\d{3}$/;

describe('correlation-id', () => {
  let upstream: EchoUpstream;
  let dp: RunningDataPlane;
  const idSent = async (host: string, headers: Record<string, string> = {}) => json<Echo>(await send(`${dp.proxyUrl}/request`, { headers: { host, ...headers } })).headers;

  beforeAll(async () => {
    upstream = await startEchoUpstream();
    dp = await startTestDataPlane();
    const echo = service({ host: '127.0.0.1', port: upstream.port });
    const dead = service({ host: '127.0.0.1', port: 1, retries: 0 });
    const r = (host: string, svc = echo) => route(svc, { hosts: [host] });
    const routes = { c1: r('correlation1.test'), c2: r('correlation2.test'), c3: r('correlation3.test'), tracker: r('correlation-tracker.test'), timeout: r('correlation-timeout.test', dead) };
    const result = await dp.applySnapshot(
      snapshot({
        services: [echo, dead],
        routes: Object.values(routes),
        plugins: [
          plugin('correlation-id', {}, { route: routes.c1 }),
          plugin('correlation-id', { header_name: 'Foo-Bar-Id' }, { route: routes.c2 }),
          plugin('correlation-id', { generator: 'uuid', echo_downstream: true }, { route: routes.c3 }),
          plugin('correlation-id', { generator: 'tracker' }, { route: routes.tracker }),
          plugin('correlation-id', { echo_downstream: true }, { route: routes.timeout }),
        ],
      }),
    );
    expect(result).toEqual({ ok: true });
  });

  afterAll(async () => {
    await dp.close();
    await upstream.close();
  });

  // describe("uuid-worker generator") it("increments the counter part")
  it('sends a per-process uuid and a counter that increments', async () => {
    const first = UUID_COUNTER.exec(String((await idSent('correlation1.test'))['kong-request-id']));
    const second = UUID_COUNTER.exec(String((await idSent('correlation1.test'))['kong-request-id']));
    expect(first).not.toBeNull();
    expect(second![1]).toBe(first![1]);
    expect(Number(second![2])).toBe(Number(first![2]) + 1);
  });

  // describe("uuid generator") it("generates a unique UUID for every request")
  it('sends a fresh uuid per request with the uuid generator', async () => {
    const a = String((await idSent('correlation3.test'))['kong-request-id']);
    const b = String((await idSent('correlation3.test'))['kong-request-id']);
    expect(a).toMatch(UUID);
    expect(b).toMatch(UUID);
    expect(a).not.toBe(b);
  });

  // describe("tracker generator") it("generates a unique tracker id for every request")
  it('sends a tracker id naming address, port, process, connection and time', async () => {
    const a = String((await idSent('correlation-tracker.test'))['kong-request-id']);
    const b = String((await idSent('correlation-tracker.test'))['kong-request-id']);
    expect(a).toMatch(TRACKER);
    expect(b).toMatch(TRACKER);
    expect(a).not.toBe(b);
  });

  // it("echo_downstream sends uuid back to client")
  it('echoes the id sent upstream back to the client', async () => {
    const res = await send(`${dp.proxyUrl}/request`, { headers: { host: 'correlation3.test' } });
    expect(res.headers['kong-request-id']).toMatch(UUID);
    expect(res.headers['kong-request-id']).toBe(json<Echo>(res).headers['kong-request-id']);
  });

  // it("echo_downstream sends uuid back to client even when upstream timeouts")
  it('echoes the id on a gateway error', async () => {
    const res = await send(`${dp.proxyUrl}/request`, { headers: { host: 'correlation-timeout.test' } });
    expect(res.status).toBe(502);
    expect(res.headers['kong-request-id']).toMatch(UUID_COUNTER);
  });

  // it("echo_downstream does not send uuid back to client if not asked")
  it('sends nothing back unless asked', async () => {
    const res = await send(`${dp.proxyUrl}/request`, { headers: { host: 'correlation1.test' } });
    expect(res.headers['kong-request-id']).toBeUndefined();
  });

  // it("uses a custom header name")
  it('uses a custom header name', async () => {
    expect(String((await idSent('correlation2.test'))['foo-bar-id'])).toMatch(UUID_COUNTER);
  });

  // it("preserves an already existing header") / "does not preserve an already existing empty header" / "... with space only"
  it('keeps an id the client sent, but not an empty or blank one', async () => {
    expect((await idSent('correlation2.test', { 'foo-bar-id': 'foobar' }))['foo-bar-id']).toBe('foobar');
    expect((await idSent('correlation2.test', { 'foo-bar-id': '' }))['foo-bar-id']).toMatch(UUID_COUNTER);
    expect((await idSent('correlation2.test', { 'foo-bar-id': ' ' }))['foo-bar-id']).toMatch(UUID_COUNTER);
  });
});
