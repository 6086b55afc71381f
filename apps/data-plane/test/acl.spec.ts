/**
 * acl behind key-auth, against a real data plane and upstream; cases translated from Kong's
 * spec/03-plugins/18-acl/02-access_spec.lua (each `it` named beside it).
 */
import type { RunningDataPlane } from '../src/data-plane';
import { acl, consumer, keyauth, plugin, route, service, snapshot } from './support/config-fixtures';
import { startEchoUpstream, type Echo, type EchoUpstream } from './support/echo-upstream';
import { json, send, startTestDataPlane } from './support/test-data-plane';

describe('acl', () => {
  let upstream: EchoUpstream;
  let dp: RunningDataPlane;
  // Kong's fixtures: consumer1 has no groups, consumer2 admin, consumer3 pro+hello, consumer4 free+hello.
  const consumers = [1, 2, 3, 4].map((n) => consumer(`consumer${n}`));
  const anonymous = consumer('anonymous');
  const [, c2, c3, c4] = consumers as [unknown, ReturnType<typeof consumer>, ReturnType<typeof consumer>, ReturnType<typeof consumer>];
  const echo = service({ host: '127.0.0.1', port: 0 });
  const r = (path: string) => route(echo, { paths: [path] });
  const routes = {
    noAuth: r('/no-auth'),
    allowAdmin: r('/allow-admin'),
    denyAdmin: r('/deny-admin'),
    allowAdminPro: r('/allow-admin-pro'),
    denyAdminPro: r('/deny-admin-pro'),
    denyAdminProHello: r('/deny-admin-pro-hello'),
    allowAdminProHello: r('/allow-admin-pro-hello'),
    hidden: r('/hidden'),
    anonAllow: r('/anonymous-allow'),
    anonDeny: r('/anonymous-deny'),
  };
  const keyAuth = (on: ReturnType<typeof route>, config: Record<string, unknown> = {}) => plugin('key-auth', config, { route: on });

  beforeAll(async () => {
    upstream = await startEchoUpstream();
    dp = await startTestDataPlane();
    const result = await dp.applySnapshot(
      snapshot({
        services: [{ ...echo, port: upstream.port }],
        routes: Object.values(routes),
        consumers: [...consumers, anonymous],
        keyauth_credentials: consumers.map((c, i) => keyauth(c, `apikey12${3 + i}`)),
        acls: [acl(c2, 'admin'), acl(c3, 'pro'), acl(c3, 'hello'), acl(c4, 'free'), acl(c4, 'hello')],
        plugins: [
          plugin('acl', { allow: ['admin'] }, { route: routes.noAuth }),
          ...[routes.allowAdmin, routes.denyAdmin, routes.allowAdminPro, routes.denyAdminPro, routes.denyAdminProHello, routes.allowAdminProHello, routes.hidden].map((on) => keyAuth(on)),
          plugin('acl', { allow: ['admin'] }, { route: routes.allowAdmin }),
          plugin('acl', { deny: ['admin'] }, { route: routes.denyAdmin }),
          plugin('acl', { allow: ['admin', 'pro'] }, { route: routes.allowAdminPro }),
          plugin('acl', { deny: ['admin', 'pro'] }, { route: routes.denyAdminPro }),
          plugin('acl', { deny: ['admin', 'pro', 'hello'] }, { route: routes.denyAdminProHello }),
          plugin('acl', { allow: ['admin', 'pro', 'hello'] }, { route: routes.allowAdminProHello }),
          plugin('acl', { allow: ['admin'], hide_groups_header: true }, { route: routes.hidden }),
          keyAuth(routes.anonAllow, { anonymous: anonymous.id }),
          keyAuth(routes.anonDeny, { anonymous: anonymous.id }),
          plugin('acl', { allow: ['admin'] }, { route: routes.anonAllow }),
          plugin('acl', { deny: ['admin'] }, { route: routes.anonDeny }),
        ],
      }),
    );
    expect(result).toEqual({ ok: true });
  });

  afterAll(async () => {
    await dp.close();
    await upstream.close();
  });

  const get = (path: string, key?: string, headers: Record<string, string> = {}) =>
    send(`${dp.proxyUrl}${path}${key ? `?apikey=${key}` : ''}`, { headers });
  const expectForbidden = async (path: string, key: string) => {
    const reply = await get(path, key);
    expect([path, key, reply.status, json(reply)]).toEqual([path, key, 403, { message: 'You cannot consume this service' }]);
  };

  // Simple lists: "should fail when an authentication plugin is missing"
  it('answers 401 when no consumer was authenticated', async () => {
    const reply = await get('/no-auth');
    expect([reply.status, json(reply)]).toEqual([401, { message: 'Unauthorized' }]);
  });

  // "should fail when not allowed", "should work when allowed", "should send x-consumer-groups header when hide_groups_header flag false"
  it('lets allowed groups through with X-Consumer-Groups and refuses the others with 403', async () => {
    await expectForbidden('/allow-admin', 'apikey123');
    const allowed = json<Echo>(await get('/allow-admin', 'apikey124'));
    expect(allowed.headers['x-consumer-groups']).toBe('admin');
    expect(allowed.headers['x-authenticated-groups']).toBeUndefined();
  });

  // "should not send x-consumer-groups header when hide_groups_header flag true"
  it('hides the groups header when asked, even one the client sent', async () => {
    const hidden = json<Echo>(await get('/hidden', 'apikey124', { 'x-consumer-groups': 'forged' }));
    expect(hidden.headers['x-consumer-groups']).toBeUndefined();
  });

  // "should work when not denied", "should fail when denied"
  it('refuses denied groups and lets everyone else through, consumers without groups too', async () => {
    expect((await get('/deny-admin', 'apikey123')).status).toBe(200);
    await expectForbidden('/deny-admin', 'apikey124');
  });

  // Multi lists: "should work when allowed", "should fail when not allowed", "should fail when denied", "should work when not denied",
  // "should not work when one of the ACLs denied", "should work when one of the ACLs is allowed", "should not work when at least one of the ACLs denied"
  it('matches any of several groups', async () => {
    expect(json<Echo>(await get('/allow-admin-pro', 'apikey125')).headers['x-consumer-groups']).toBe('pro, hello');
    await expectForbidden('/allow-admin-pro', 'apikey126');
    await expectForbidden('/deny-admin-pro', 'apikey125');
    expect((await get('/deny-admin-pro', 'apikey126')).status).toBe(200);
    await expectForbidden('/deny-admin-pro-hello', 'apikey126');
    expect((await get('/allow-admin-pro-hello', 'apikey126')).status).toBe(200);
    await expectForbidden('/deny-admin-pro-hello', 'apikey125');
  });

  // anonymous: "without authentication returns 401", "with authentication without groups returns 401 with allow groups",
  // "returns 200 with deny groups", "with authentication with group returns 200" / "returns 403"
  it('treats the anonymous consumer by its groups, and 401s it on an allow list', async () => {
    const anon = await get('/anonymous-allow');
    expect([anon.status, json(anon)]).toEqual([401, { message: 'Unauthorized' }]);
    expect((await get('/anonymous-deny')).status).toBe(200);
    expect((await get('/anonymous-allow', 'apikey124')).status).toBe(200);
    await expectForbidden('/anonymous-deny', 'apikey124');
  });

  it('refuses a config with both lists, or neither, naming the rule', async () => {
    const both = await dp.applySnapshot(snapshot({ plugins: [plugin('acl', { allow: ['a'], deny: ['b'] })] }));
    expect(both).toEqual({ ok: false, errors: [expect.objectContaining({ entity: 'plugins', field: 'config', message: "exactly one of these fields must be non-empty: 'allow', 'deny'" })] });
  });
});
