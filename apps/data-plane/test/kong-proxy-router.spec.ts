import type { RunningDataPlane } from '../src/data-plane';
import { route, service, snapshot } from './support/config-fixtures';
import { startEchoUpstream, type Echo, type EchoUpstream } from './support/echo-upstream';
import { json, send, sendRaw, startTestDataPlane } from './support/test-data-plane';

/**
 * Cases translated from Kong's spec/02-integration/05-proxy/02-router_spec.lua (flavor
 * traditional_compatible), against a real data plane and a real upstream; each `it` names the
 * Kong case. Kong tells routes apart by its `kong-debug` headers; here each route's service has
 * its own path, which the upstream sees.
 */
describe('spec/02-integration/05-proxy/02-router_spec.lua', () => {
  let upstream: EchoUpstream;
  let dp: RunningDataPlane;

  beforeAll(async () => {
    upstream = await startEchoUpstream();
    dp = await startTestDataPlane();
    const at = (path: string) => service({ host: '127.0.0.1', port: upstream.port, path });
    const services = {
      regex1: at('/regex_1'),
      regex2: at('/regex_2'),
      fooBar: at('/foo_bar'),
      hello: at('/hello_svc'),
      world: at('/'),
      methods: at('/methods'),
      plain: at('/'),
    };
    const routes = [
      // URI regexes order of evaluation with regex_priority
      route(services.regex1, { strip_path: true, paths: ['~/status/(?P<foo>re)'], regex_priority: 0 }),
      route(services.regex2, { strip_path: true, paths: ['~/status/(re)'], regex_priority: 4 }),
      // URI normalization
      route(services.fooBar, { strip_path: true, paths: ['/foo/bar'] }),
      route(services.hello, { strip_path: true, paths: ['/hello'] }),
      route(services.world, { strip_path: false, paths: ['/anything/world'] }),
      // use-cases
      route(services.methods, { methods: ['POST', 'PUT'], paths: ['/post'], strip_path: false }),
      route(services.plain, { paths: ['/get', '/request'], strip_path: false }),
    ];
    expect(await dp.applySnapshot(snapshot({ services: Object.values(services), routes }))).toEqual({ ok: true });
  });

  afterAll(async () => {
    await dp.close();
    await upstream.close();
  });

  /** The upstream's view of `path`, sent as is on the request line. */
  const proxied = async (path: string, method = 'GET'): Promise<{ status: number; echo: Echo | null }> => {
    const raw = await sendRaw(dp.proxyUrl, `${method} ${path} HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n`);
    const status = Number(raw.slice(9, 12));
    return { status, echo: status === 200 ? (JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4)) as Echo) : null };
  };

  it('responds 404 if no route matches', async () => {
    const reply = await send(`${dp.proxyUrl}/nowhere`, { headers: { host: 'inexistent.test' } });
    expect(reply.status).toBe(404);
    expect(json(reply)).toEqual({ message: 'no Route matched with those values' });
  });

  it('restricts an route to its methods if specified', async () => {
    expect((await proxied('/post', 'POST')).status).toBe(200);
    expect((await proxied('/post', 'GET')).status).toBe(404);
  });

  it('URI regexes order of evaluation with regex_priority: depends on the regex_priority field', async () => {
    expect((await proxied('/status/re')).echo?.url).toBe('/regex_2');
  });

  describe('URI arguments (querystring)', () => {
    it('preserves URI arguments', async () => {
      expect((await proxied('/get?foo=bar&hello=world')).echo?.url).toBe('/get?foo=bar&hello=world');
    });

    it('does proxy an empty querystring if URI does not contain arguments', async () => {
      expect((await proxied('/request?')).echo?.url).toBe('/request?');
    });

    it('does proxy a querystring with an empty value', async () => {
      expect((await proxied('/get?hello')).echo?.url).toBe('/get?hello');
    });
  });

  describe('URI normalization', () => {
    it.each([
      ['matches against normalized URI with ".."', '/foo/a/../bar', '/foo_bar'],
      ['matches against normalized URI with "//"', '/foo//bar', '/foo_bar'],
      ['matches against normalized URI with "/./"', '/foo/./bar', '/foo_bar'],
      ['matches against normalized URI with percent-encoded characters', '/h%65llo', '/hello_svc'],
    ])('%s', async (_name, path, upstreamPath) => {
      const { echo } = await proxied(path);
      expect(echo?.url).toBe(upstreamPath);
      expect(echo?.headers['x-forwarded-path']).toBe(path);
    });

    it('proxies normalized URI to upstream with strip_path = true', async () => {
      expect((await proxied('/h%65llo/anything/a/../b')).echo?.url).toBe('/hello_svc/anything/b');
    });

    it('proxies normalized URI to upstream with strip_path = false', async () => {
      expect((await proxied('/anything/./a/../wor%6cd/a/../b')).echo?.url).toBe('/anything/world/b');
    });

    it('re-encode special characters in request uri when proxying to the upstream', async () => {
      expect((await proxied('/anything/world/cat%20and%20dog')).echo?.url).toBe('/anything/world/cat%20and%20dog');
    });
  });
});
