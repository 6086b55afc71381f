import type { Route, Service } from '@tollgate/config';
import type { RunningDataPlane } from '../src/data-plane';
import { consumer, keyauth, plugin, route, service, snapshot, target, upstream as upstreamEntity } from './support/config-fixtures';
import { startEchoUpstream, type Echo, type EchoUpstream } from './support/echo-upstream';
import { memoryLogger } from './support/memory-logger';
import { json, send, startTestDataPlane } from './support/test-data-plane';

describe('applying snapshots', () => {
  let upstream: EchoUpstream;
  let dp: RunningDataPlane;
  const echo = () => service({ host: '127.0.0.1', port: upstream.port, path: '/v1' });

  beforeAll(async () => {
    upstream = await startEchoUpstream();
    dp = await startTestDataPlane();
  });

  afterAll(async () => {
    await dp.close();
    await upstream.close();
  });

  it('serves 503 before any config, then routes once one is applied', async () => {
    expect(dp.current()).toBeNull();
    const before = await send(`${dp.proxyUrl}/api`);
    expect(before.status).toBe(503);
    const svc = echo();
    const first = snapshot({ services: [svc], routes: [route(svc, { paths: ['/api'] })] });
    expect(await dp.applySnapshot(first)).toEqual({ ok: true });
    expect(dp.current()).toEqual({ version: first.version, hash: first.hash });
    expect((await send(`${dp.proxyUrl}/api/x`)).status).toBe(200);
  });

  it('refuses a plugin config that fails its schema, naming the field, and keeps the last good config', async () => {
    const good = dp.current();
    const svc = echo();
    const bad = plugin('rate-limiting', { minute: 'lots' }, { service: svc });
    const outcome = await dp.applySnapshot(snapshot({ services: [svc], routes: [route(svc, { paths: ['/other'] })], plugins: [bad] }));
    expect(outcome).toEqual({ ok: false, errors: [{ entity: 'plugins', id: bad.id, field: 'config.minute', message: 'expected a number' }] });
    expect(dp.current()).toEqual(good);
    expect((await send(`${dp.proxyUrl}/api/x`)).status).toBe(200);
    expect((await send(`${dp.proxyUrl}/other`)).status).toBe(404);
  });

  it('refuses unknown plugins and what it cannot honour', async () => {
    const svc = echo();
    const unknown = plugin('no-such-plugin', {});
    const cluster = plugin('rate-limiting', { minute: 1, policy: 'cluster' });
    const scoped = plugin('key-auth', {}, { consumer: consumer('c') });
    const outcome = await dp.applySnapshot(snapshot({ services: [svc], plugins: [unknown, cluster, scoped] }));
    expect(outcome.ok).toBe(false);
    const errors = outcome.ok ? [] : outcome.errors;
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: unknown.id, field: 'name' }),
        expect.objectContaining({ id: cluster.id, field: 'config.policy' }),
        expect.objectContaining({ id: scoped.id, field: 'consumer' }),
      ]),
    );
  });

  it('refuses an inconsistent snapshot: a route whose service is missing', async () => {
    const orphan = route(echo(), { paths: ['/orphan'] });
    const outcome = await dp.applySnapshot(snapshot({ services: [], routes: [orphan] }));
    expect(outcome).toEqual({
      ok: false,
      errors: [expect.objectContaining({ entity: 'routes', id: orphan.id, field: 'service' })],
    });
  });

  it('finishes a request in flight on the config it started with', async () => {
    const oldService = service({ host: '127.0.0.1', port: upstream.port, path: '/old' });
    const newService = service({ host: '127.0.0.1', port: upstream.port, path: '/new' });
    expect(await dp.applySnapshot(snapshot({ services: [oldService], routes: [route(oldService, { paths: ['/swap'] })] }))).toEqual({ ok: true });
    const inFlight = send(`${dp.proxyUrl}/swap/slow?delay=1500`);
    // Long enough for the request to be routed on a loaded machine, well inside the upstream's delay.
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(await dp.applySnapshot(snapshot({ services: [newService], routes: [route(newService, { paths: ['/swap'] })] }))).toEqual({ ok: true });
    const after = json<Echo>(await send(`${dp.proxyUrl}/swap/fast`));
    expect(after.url).toBe('/new/fast');
    const before = await inFlight;
    expect(before.status).toBe(200);
    expect(json<Echo>(before).url).toBe('/old/slow?delay=1500');
  });
});

describe('applying a delta incrementally', () => {
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

  it('rebuilds only what changed and behaves as a full apply would', async () => {
    const svc = service({ host: '127.0.0.1', port: upstream.port });
    const alice = consumer('alice');
    const auth = plugin('key-auth', {}, { service: svc });
    const base = { services: [svc], routes: [route(svc, { paths: ['/a'] })], consumers: [alice], keyauth_credentials: [keyauth(alice, 'alice-key')], plugins: [auth] };
    expect(await dp.applySnapshot(snapshot(base))).toEqual({ ok: true });
    expect((await send(`${dp.proxyUrl}/a`, { headers: { apikey: 'alice-key' } })).status).toBe(200);

    // Routes changed: the new path routes, the consumer index carried over still authenticates.
    const routes = [route(svc, { paths: ['/b'] })];
    expect(await dp.applySnapshot(snapshot({ ...base, routes }), new Set(['routes']))).toEqual({ ok: true });
    expect((await send(`${dp.proxyUrl}/a`, { headers: { apikey: 'alice-key' } })).status).toBe(404);
    expect((await send(`${dp.proxyUrl}/b`, { headers: { apikey: 'alice-key' } })).status).toBe(200);

    // Credentials changed: the old key stops working, the new one works, the router carried over.
    const credentials = [keyauth(alice, 'rotated-key')];
    expect(await dp.applySnapshot(snapshot({ ...base, routes, keyauth_credentials: credentials }), new Set(['keyauth_credentials']))).toEqual({ ok: true });
    expect((await send(`${dp.proxyUrl}/b`, { headers: { apikey: 'alice-key' } })).status).toBe(401);
    expect((await send(`${dp.proxyUrl}/b`, { headers: { apikey: 'rotated-key' } })).status).toBe(200);

    // A change that breaks a reference is refused even though only routes are said to change.
    const orphan = route(service({ host: '127.0.0.1', port: upstream.port }), { paths: ['/orphan'] });
    const outcome = await dp.applySnapshot(snapshot({ ...base, routes: [orphan], keyauth_credentials: credentials }), new Set(['routes']));
    expect(outcome.ok).toBe(false);
    expect((await send(`${dp.proxyUrl}/b`, { headers: { apikey: 'rotated-key' } })).status).toBe(200);
  });
});

describe('building a large config between requests', () => {
  let upstream: EchoUpstream;
  let dp: RunningDataPlane;
  const log = memoryLogger('info');

  beforeAll(async () => {
    upstream = await startEchoUpstream();
    dp = await startTestDataPlane({}, { logger: log.logger });
  });

  afterAll(async () => {
    await dp.close();
    await upstream.close();
  });

  /** 20,000 routes on 2,000 services, all to the echo upstream, plus `extra`. */
  function large(tag: string, extra: Route[] = [], services: Service[] = []) {
    const all = Array.from({ length: 2000 }, () => service({ host: '127.0.0.1', port: upstream.port }));
    const routes = Array.from({ length: 20_000 }, (_, i) =>
      route(all[i % all.length]!, { hosts: [`h${i % 300}.test`], methods: ['GET', 'POST'], paths: [`/${tag}/${i}`] }),
    );
    return { services: [...all, ...services], routes: [...routes, ...extra] };
  }

  const applied = () => log.lines().filter((line) => line.msg === 'config applied');

  it('serves requests on the live config while a 20,000-route config is built, then swaps it in', async () => {
    const svc = service({ host: '127.0.0.1', port: upstream.port, path: '/old' });
    expect(await dp.applySnapshot(snapshot({ services: [svc], routes: [route(svc, { paths: ['/live'] })] }))).toEqual({ ok: true });

    const newer = service({ host: '127.0.0.1', port: upstream.port, path: '/new' });
    const next = snapshot(large('bulk', [route(newer, { paths: ['/live'] })], [newer]));
    let swapped = false;
    const applying = dp.applySnapshot(next).then((outcome) => {
      swapped = true;
      return outcome;
    });
    // Requests sent after the apply began are answered before it ends, by the config they found.
    const during = await send(`${dp.proxyUrl}/live/x`);
    expect(swapped).toBe(false);
    expect(json<Echo>(during).url).toBe('/old/x');
    expect(await applying).toEqual({ ok: true });
    expect(json<Echo>(await send(`${dp.proxyUrl}/live/x`)).url).toBe('/new/x');
    expect((await send(`${dp.proxyUrl}/bulk/123`, { headers: { host: 'h123.test' } })).status).toBe(200);

    const line = applied().at(-1)!;
    expect(line.routes).toBe(20_001);
    // Slices of about 4 ms: a loaded CI machine may stretch one, never to the whole build.
    expect(line.slices as number).toBeGreaterThan(5);
    expect(line.longestSliceMs as number).toBeLessThan(line.ms as number);
  });

  it('applies snapshots one at a time, in the order they came', async () => {
    const svc = service({ host: '127.0.0.1', port: upstream.port, path: '/last' });
    const big = snapshot(large('first'));
    const small = snapshot({ services: [svc], routes: [route(svc, { paths: ['/order'] })] });
    const outcomes = await Promise.all([dp.applySnapshot(big), dp.applySnapshot(small)]);
    expect(outcomes).toEqual([{ ok: true }, { ok: true }]);
    expect(dp.current()).toEqual({ version: small.version, hash: small.hash });
    expect(json<Echo>(await send(`${dp.proxyUrl}/order/x`)).url).toBe('/last/x');
    expect((await send(`${dp.proxyUrl}/first/1`, { headers: { host: 'h1.test' } })).status).toBe(404);
  });

  it('drops a build that finishes after the data plane began to stop, starting none of its health probes', async () => {
    const stopping = await startTestDataPlane();
    const defaults = upstreamEntity('defaults').healthchecks;
    const pool = upstreamEntity('probed', {
      healthchecks: { ...defaults, active: { ...defaults.active, http_path: '/probe', healthy: { interval: 0.05, http_statuses: [200], successes: 1 } } },
    });
    const svc = service({ host: 'probed', port: 80 });
    const config = large('stopping', [route(svc, { paths: ['/probed'] })], [svc]);
    const applying = stopping.applySnapshot(snapshot({ ...config, upstreams: [pool], targets: [target(pool, `127.0.0.1:${upstream.port}`)] }));
    await stopping.close();
    expect(await applying).toEqual({ ok: false, errors: [expect.objectContaining({ message: 'the data plane is stopping' })] });
    const seen = upstream.connections;
    await new Promise((done) => setTimeout(done, 300));
    expect(upstream.connections).toBe(seen);
  });

  it('builds the change after a refused one whole: its base never went live', async () => {
    const svc = service({ host: '127.0.0.1', port: upstream.port });
    const bob = consumer('bob');
    const base = { services: [svc], routes: [route(svc, { paths: ['/keyed'] })], consumers: [bob], plugins: [plugin('key-auth', {}, { service: svc })] };
    expect(await dp.applySnapshot(snapshot({ ...base, keyauth_credentials: [keyauth(bob, 'old-key')] }))).toEqual({ ok: true });
    // Refused: a new key and a route to a missing service, said (as a cluster worker would) to change both.
    const credentials = [keyauth(bob, 'new-key')];
    const orphan = route(service({ host: '127.0.0.1', port: upstream.port }), { paths: ['/orphan'] });
    const refused = snapshot({ ...base, routes: [...base.routes, orphan], keyauth_credentials: credentials });
    expect((await dp.applySnapshot(refused, new Set(['routes', 'keyauth_credentials']))).ok).toBe(false);
    // The next change, relative to the refused one, touches only routes; the new key must work.
    const fixed = snapshot({ ...base, keyauth_credentials: credentials });
    expect(await dp.applySnapshot(fixed, new Set(['routes']))).toEqual({ ok: true });
    expect((await send(`${dp.proxyUrl}/keyed`, { headers: { apikey: 'new-key' } })).status).toBe(200);
    expect((await send(`${dp.proxyUrl}/keyed`, { headers: { apikey: 'old-key' } })).status).toBe(401);
  });
});
