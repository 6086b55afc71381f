/**
 * bot-detection against a real data plane; cases translated from Kong's spec/03-plugins/21-bot-detection/
 * 01-access_spec.lua, 02-invalidations_spec.lua and 03-api_spec.lua (each `it` named beside it).
 */
import { validatePluginConfig } from '@tollgate/plugins';
import type { RunningDataPlane } from '../src/data-plane';
import { plugin, route, service, snapshot } from './support/config-fixtures';
import { startEchoUpstream, type EchoUpstream } from './support/echo-upstream';
import { json, send, startTestDataPlane } from './support/test-data-plane';

const HELLOWORLD = 'HelloWorld';
const FACEBOOK = 'facebookexternalhit/1.1'; // matches a known bot in the rules
const CHROME = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_11_5) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/50.0.2661.102 Safari/537.36';

describe('bot-detection', () => {
  let upstream: EchoUpstream;
  let dp: RunningDataPlane;
  const echo = service({ host: '127.0.0.1', port: 0 });
  const routes = { plain: route(echo, { paths: ['/plain'] }), deny: route(echo, { paths: ['/deny'] }), allow: route(echo, { paths: ['/allow'] }) };
  const config = (extra: Record<string, unknown>[] = []) =>
    snapshot({
      services: [{ ...echo, port: upstream.port }],
      routes: Object.values(routes),
      plugins: [
        plugin('bot-detection', {}, { route: routes.plain }),
        plugin('bot-detection', { deny: [HELLOWORLD], ...extra[0] }, { route: routes.deny }),
        plugin('bot-detection', { allow: [FACEBOOK], ...extra[1] }, { route: routes.allow }),
      ],
    });

  beforeAll(async () => {
    upstream = await startEchoUpstream();
    dp = await startTestDataPlane();
    expect(await dp.applySnapshot(config())).toEqual({ ok: true });
  });

  afterAll(async () => {
    await dp.close();
    await upstream.close();
  });

  const status = async (path: string, userAgent?: string) => (await send(`${dp.proxyUrl}${path}`, { headers: userAgent === undefined ? {} : { 'user-agent': userAgent } })).status;

  // "allows regular requests"
  it('lets browsers, plain clients and requests without a User-Agent through', async () => {
    expect([await status('/plain', CHROME), await status('/plain', HELLOWORLD), await status('/plain', 'curl/7.43.0'), await status('/plain')]).toEqual([200, 200, 200, 200]);
  });

  // "blocks bots"
  it('refuses known bots with 403 Forbidden', async () => {
    const reply = await send(`${dp.proxyUrl}/plain`, { headers: { 'user-agent': 'Googlebot/2.1 (+http://www.google.com/bot.html)' } });
    expect([reply.status, json(reply)]).toEqual([403, { message: 'Forbidden' }]);
    expect(await status('/plain', FACEBOOK)).toBe(403);
  });

  // "blocks denied user-agents", "allows allowed user-agents"
  it('applies the deny and allow lists before the rules', async () => {
    expect(await status('/deny', HELLOWORLD)).toBe(403);
    expect(await status('/allow', FACEBOOK)).toBe(200);
  });

  // 02-invalidations_spec: "blocks a newly entered user-agent", "allows a newly entered user-agent"
  it('follows changed lists from the next config on', async () => {
    expect(await status('/deny', 'helloworld')).toBe(200);
    expect(await status('/plain', FACEBOOK)).toBe(403);
    expect(await dp.applySnapshot(config([{ deny: ['helloworld'] }, { allow: ['facebookexternalhit/1.1'] }]))).toEqual({ ok: true });
    expect(await status('/deny', 'helloworld')).toBe(403);
    expect(await status('/allow', FACEBOOK)).toBe(200);
  });

  // 03-api_spec: "fails when using a bad regex in allow", "fails when using a bad regex in deny"
  it('refuses a bad regex, naming the list', () => {
    expect(validatePluginConfig('bot-detection', { allow: ['[[a'] }).errors).toEqual({ config: { allow: [expect.stringContaining("invalid regex: '[[a'")] } });
    expect(validatePluginConfig('bot-detection', { deny: ['(x'] }).errors).toEqual({ config: { deny: [expect.stringContaining("invalid regex: '(x'")] } });
  });
});
