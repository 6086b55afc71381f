/**
 * ip-restriction against a real data plane and upstream, clients on 127.0.0.1 and ::1; cases
 * translated from Kong's spec/03-plugins/17-ip-restriction/02-access_spec.lua (each `it` named beside it).
 */
import type { RunningDataPlane } from '../src/data-plane';
import { plugin, route, service, snapshot } from './support/config-fixtures';
import { startEchoUpstream, type EchoUpstream } from './support/echo-upstream';
import { json, send, startTestDataPlane } from './support/test-data-plane';

describe('ip-restriction', () => {
  let upstream: EchoUpstream;
  let dp: RunningDataPlane;
  let v6: RunningDataPlane;
  const echo = service({ host: '127.0.0.1', port: 0 });
  const cases: [string, Record<string, unknown>][] = [
    ['/deny', { deny: ['127.0.0.1', '127.0.0.2'] }],
    ['/deny-status', { deny: ['127.0.0.1'], status: 401, message: 'Forbidden' }],
    ['/not-denied', { deny: ['127.0.0.2'] }],
    ['/deny-cidr', { deny: ['127.0.0.0/24'] }],
    ['/deny-in-allowed', { allow: ['127.0.0.0/24'], deny: ['127.0.0.1'] }],
    ['/deny-over-allow', { allow: ['127.0.0.1'], deny: ['127.0.0.1'] }],
    ['/allow-other', { allow: ['127.0.0.2'] }],
    ['/allow', { allow: ['127.0.0.1'] }],
    ['/allow-all', { allow: ['0.0.0.0/0'] }],
    ['/deny-v6', { deny: ['::1', '::2'] }],
    ['/allow-v6-cidr', { allow: ['::1/128'] }],
    ['/allow-v6-all', { allow: ['::/0'] }],
    ['/deny-fe80', { deny: ['fe80::/8'] }],
  ];
  const routes = cases.map(([path]) => route(echo, { paths: [path] }));

  beforeAll(async () => {
    upstream = await startEchoUpstream();
    dp = await startTestDataPlane();
    v6 = await startTestDataPlane({ proxyListen: { host: '::1', port: 0 } });
    const config = snapshot({
      services: [{ ...echo, port: upstream.port }],
      routes,
      plugins: cases.map(([, config], i) => plugin('ip-restriction', config, { route: routes[i]! })),
    });
    expect(await dp.applySnapshot(config)).toEqual({ ok: true });
    expect(await v6.applySnapshot(config)).toEqual({ ok: true });
  });

  afterAll(async () => {
    await Promise.all([dp.close(), v6.close()]);
    await upstream.close();
  });

  const status = async (plane: RunningDataPlane, path: string) => (await send(`${plane.proxyUrl}${path}`)).status;

  // deny: "blocks a request when the IP is denied", "blocks a request when the IP is denied with status/message"
  it("refuses a denied address with 403 and Kong's message, or the configured status and message", async () => {
    const refused = await send(`${dp.proxyUrl}/deny`);
    expect([refused.status, json(refused)]).toEqual([403, { message: 'IP address not allowed: 127.0.0.1' }]);
    const custom = await send(`${dp.proxyUrl}/deny-status`);
    expect([custom.status, json(custom)]).toEqual([401, { message: 'Forbidden' }]);
  });

  // "allows a request when the IP is not denied", "blocks IP with CIDR", "blocks an IP on a allowed CIDR range",
  // "takes precedence over an allowed IP"; allow: "blocks a request when the IP is not allowed", "allows a allowed IP";
  // #regression "handles a CIDR entry with 0.0.0.0/0"
  it('applies deny before allow, to addresses and ranges', async () => {
    const expected: Record<string, number> = {
      '/not-denied': 200,
      '/deny-cidr': 403,
      '/deny-in-allowed': 403,
      '/deny-over-allow': 403,
      '/allow-other': 403,
      '/allow': 200,
      '/allow-all': 200,
      '/deny-v6': 200,
    };
    const seen: Record<string, number> = {};
    for (const path of Object.keys(expected)) seen[path] = await status(dp, path);
    expect(seen).toEqual(expected);
  });

  // IPv6: "blocks a request when the IPv6 is denied", "allows a allowed IPv6", "handles a CIDR entry with ::/0",
  // "allows a request when the IPv6 is not denied", "blocks a request when the IPv6 is not allowed"
  it('matches IPv6 clients', async () => {
    const refused = await send(`${v6.proxyUrl}/deny-v6`);
    expect([refused.status, json(refused)]).toEqual([403, { message: 'IP address not allowed: ::1' }]);
    expect(await status(v6, '/allow-v6-cidr')).toBe(200);
    expect(await status(v6, '/allow-v6-all')).toBe(200);
    expect(await status(v6, '/deny-fe80')).toBe(200);
    expect(await status(v6, '/allow')).toBe(403);
  });

  // "supports config changes without restarting"
  it('follows a config change', async () => {
    const next = snapshot({ services: [{ ...echo, port: upstream.port }], routes: [routes[7]!], plugins: [plugin('ip-restriction', { deny: ['127.0.0.1'] }, { route: routes[7]! })] });
    expect(await dp.applySnapshot(next)).toEqual({ ok: true });
    expect(await status(dp, '/allow')).toBe(403);
  });
});
