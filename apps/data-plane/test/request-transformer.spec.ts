/** Kong's spec/03-plugins/36-request-transformer/02-access_spec.lua, translated (templates aside: Tollgate runs none). */
import type { RunningDataPlane } from '../src/data-plane';
import { plugin, route, service, snapshot } from './support/config-fixtures';
import { startEchoUpstream, type Echo, type EchoUpstream } from './support/echo-upstream';
import { json, send, startTestDataPlane } from './support/test-data-plane';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const JSON_TYPE = { 'content-type': 'application/json' };

describe('request-transformer', () => {
  let upstream: EchoUpstream;
  let dp: RunningDataPlane;
  const call = async (host: string, path: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}) =>
    json<Echo>(await send(`${dp.proxyUrl}${path}`, { ...options, headers: { host, ...options.headers } }));
  const query = (echo: Echo) => Object.fromEntries(new URL(echo.url, 'http://x').searchParams);

  beforeAll(async () => {
    upstream = await startEchoUpstream();
    dp = await startTestDataPlane();
    const echo = service({ host: '127.0.0.1', port: upstream.port });
    const configs: Record<string, Record<string, unknown>> = {
      method: { http_method: 'POST' },
      toget: { http_method: 'GET' },
      remove: { remove: { headers: ['x-to-remove', 'x-another-one'], querystring: ['toremovequery'], body: ['toremoveform'] } },
      rename: { rename: { headers: ['x-to-rename:x-is-renamed', 'Capital:capital'], querystring: ['originalparam:renamedparam'], body: ['originalparam:renamedparam'] } },
      replace: { replace: { headers: ['h1:v1'], querystring: ['q1:v1'], body: ['p1:v1'] } },
      add: { add: { headers: ['h1:v1', 'h2:v2', 'host:mark'], querystring: ['q1:v1'], body: ['p1:v1'] } },
      append: { append: { headers: ['h1:v1', 'h1:v2', 'h2:v1', 'x-hash:something#else'], querystring: ['q1:v1', 'q1:v2'], body: ['p1:v1', 'p1:v2'] } },
      host: { replace: { headers: ['host:replaced.test'] } },
      uri: { replace: { uri: '/api/v2/htest' } },
      order: { remove: { headers: ['h1'] }, rename: { headers: ['h2:h1'] }, add: { headers: ['h1:added', 'h3:v3'] }, append: { headers: ['h3:v4'] } },
    };
    const routes = Object.fromEntries(Object.keys(configs).map((name) => [name, route(echo, { hosts: [`${name}.test`] })]));
    const result = await dp.applySnapshot(
      snapshot({
        services: [echo],
        routes: Object.values(routes),
        plugins: Object.entries(configs).map(([name, config]) => plugin('request-transformer', config, { route: routes[name] })),
      }),
    );
    expect(result).toEqual({ ok: true });
  });

  afterAll(async () => {
    await dp.close();
    await upstream.close();
  });

  describe('http method', () => {
    // it("changes the HTTP method from GET to POST")
    it('sends the configured method upstream', async () => {
      expect((await call('method.test', '/request')).method).toBe('POST');
    });

    // it("changes the HTTP method from POST to GET")
    it('carries a form body over to the query string when the method becomes GET', async () => {
      const echo = await call('toget.test', '/request?hello=world', { method: 'POST', headers: FORM, body: 'name=marco' });
      expect(echo.method).toBe('GET');
      expect(query(echo)).toEqual({ hello: 'world', name: 'marco' });
    });
  });

  describe('remove', () => {
    // it("specified header")
    it('removes headers', async () => {
      const echo = await call('remove.test', '/request', { headers: { 'x-to-remove': 'true', 'x-another-one': 'true', 'x-kept': 'yes' } });
      expect(echo.headers['x-to-remove']).toBeUndefined();
      expect(echo.headers['x-another-one']).toBeUndefined();
      expect(echo.headers['x-kept']).toBe('yes');
    });

    // it("parameters on url encoded form POST") / it("args on GET if it exist")
    it('removes form and query parameters', async () => {
      const echo = await call('remove.test', '/request?toremovequery=yes&nottoremove=yes', { method: 'POST', headers: FORM, body: 'toremoveform=yes&nottoremove=yes' });
      expect(echo.body).toBe('nottoremove=yes');
      expect(echo.headers['content-length']).toBe(String('nottoremove=yes'.length));
      expect(query(echo)).toEqual({ nottoremove: 'yes' });
    });

    // it("parameters from JSON body in POST") / it("preserves empty json array")
    it('removes JSON body members and keeps empty arrays', async () => {
      const echo = await call('remove.test', '/request', { method: 'POST', headers: JSON_TYPE, body: JSON.stringify({ toremoveform: 'yes', nottoremove: 'yes', emptyarray: [] }) });
      expect(JSON.parse(echo.body)).toEqual({ nottoremove: 'yes', emptyarray: [] });
    });

    // it("does not fail if JSON body is malformed in POST") / "does not fail if body is empty in POST"
    it('passes a malformed JSON body and an empty one untouched', async () => {
      expect((await call('remove.test', '/request', { method: 'POST', headers: JSON_TYPE, body: 'malformed json body' })).body).toBe('malformed json body');
      expect((await call('remove.test', '/request', { method: 'POST', headers: JSON_TYPE })).body).toBe('');
    });
  });

  describe('rename', () => {
    // it("specified header") / it("does not add as new header if header does not exist")
    it('renames a header that is present and adds none that is not', async () => {
      const echo = await call('rename.test', '/request', { headers: { 'x-to-rename': 'true', 'x-another-header': 'true' } });
      expect(echo.headers['x-is-renamed']).toBe('true');
      expect(echo.headers['x-to-rename']).toBeUndefined();
      expect((await call('rename.test', '/request')).headers['x-is-renamed']).toBeUndefined();
    });

    // it("rename correctly when only changing capitalization")
    it('keeps a header whose rename only changes its case', async () => {
      expect((await call('rename.test', '/request', { headers: { Capital: 'yes' } })).headers.capital).toBe('yes');
    });

    // it("specified parameters in url encoded body on POST") / it("args on GET if it exists") / it("parameters from JSON body in POST")
    it('renames form, query and JSON parameters', async () => {
      const form = await call('rename.test', '/request?originalparam=yes', { method: 'POST', headers: FORM, body: 'originalparam=yes&nottorename=yes' });
      expect(new URLSearchParams(form.body).get('renamedparam')).toBe('yes');
      expect(query(form)).toEqual({ renamedparam: 'yes' });
      const body = await call('rename.test', '/request', { method: 'POST', headers: JSON_TYPE, body: JSON.stringify({ originalparam: 'yes', nottorename: 'yes' }) });
      expect(JSON.parse(body.body)).toEqual({ renamedparam: 'yes', nottorename: 'yes' });
    });
  });

  describe('replace', () => {
    // it("specified header if it exist") / it("does not add as new header if header does not exist")
    it('replaces only what is present', async () => {
      expect((await call('replace.test', '/request', { headers: { h1: 'v0' } })).headers.h1).toBe('v1');
      expect((await call('replace.test', '/request')).headers.h1).toBeUndefined();
    });

    // it("specified parameters in json body on POST") / it("does not add as new parameter in json if parameter does not exist on POST") / it("args on POST if it exist")
    it('replaces present body and query parameters only', async () => {
      const echo = await call('replace.test', '/request?q1=v0&q2=v2', { method: 'POST', headers: JSON_TYPE, body: JSON.stringify({ p1: 'v0', p2: 'v2' }) });
      expect(JSON.parse(echo.body)).toEqual({ p1: 'v1', p2: 'v2' });
      expect(query(echo)).toEqual({ q1: 'v1', q2: 'v2' });
      const absent = await call('replace.test', '/request', { method: 'POST', headers: JSON_TYPE, body: JSON.stringify({ p2: 'v2' }) });
      expect(JSON.parse(absent.body)).toEqual({ p2: 'v2' });
    });

    // it("replaces request uri ...") without the template: a fixed path
    it('replaces the upstream path', async () => {
      expect((await call('uri.test', '/api/htest?x=1')).url).toBe('/api/v2/htest?x=1');
    });

    it('replaces the Host header sent upstream', async () => {
      expect((await call('host.test', '/request')).headers.host).toBe('replaced.test');
    });
  });

  describe('add', () => {
    // it("new headers") / it("does not change or append value if header already exists") / it("should not change the host header")
    it('adds absent headers, keeps present ones, never the Host', async () => {
      const echo = await call('add.test', '/request', { headers: { h2: 'keep' } });
      expect(echo.headers).toMatchObject({ h1: 'v1', h2: 'keep' });
      expect(echo.headers.host).not.toBe('mark');
    });

    // it("new parameter in url encoded body on POST") / it("new parameter in JSON body on POST") / it("new querystring on GET")
    it('adds absent body and query parameters, and keeps present ones', async () => {
      const form = await call('add.test', '/request', { method: 'POST', headers: FORM, body: 'hello=world' });
      expect(Object.fromEntries(new URLSearchParams(form.body))).toEqual({ hello: 'world', p1: 'v1' });
      const body = await call('add.test', '/request?q1=mine', { method: 'POST', headers: JSON_TYPE, body: JSON.stringify({ p1: 'mine' }) });
      expect(JSON.parse(body.body)).toEqual({ p1: 'mine' });
      expect(query(body)).toEqual({ q1: 'mine' });
      // it("does not fail if body is empty and content type is application/json in POST")
      expect(JSON.parse((await call('add.test', '/request', { method: 'POST', headers: JSON_TYPE })).body)).toEqual({ p1: 'v1' });
    });
  });

  describe('append', () => {
    // it("new header if header does not exists") / it("values to existing headers") / it("can append a value with '#'")
    it('appends header values beside existing ones', async () => {
      const echo = await call('append.test', '/request', { headers: { h2: 'v0' } });
      expect(echo.headers).toMatchObject({ h1: 'v1, v2', h2: 'v0, v1', 'x-hash': 'something#else' });
    });

    // it("values to existing querystring") / it("values to existing parameter in url encoded body if parameter already exist on POST")
    it('appends query and body values', async () => {
      const echo = await call('append.test', '/request?q1=v0', { method: 'POST', headers: FORM, body: 'p1=v0' });
      expect(new URL(echo.url, 'http://x').searchParams.getAll('q1')).toEqual(['v0', 'v1', 'v2']);
      expect(new URLSearchParams(echo.body).getAll('p1')).toEqual(['v0', 'v1', 'v2']);
      const body = await call('append.test', '/request', { method: 'POST', headers: JSON_TYPE, body: JSON.stringify({ p1: 'v0' }) });
      expect(JSON.parse(body.body)).toEqual({ p1: ['v0', 'v1', 'v2'] });
    });
  });

  // describe("remove, replace, add and append ") it("removes a header") ... in Kong's order
  it('runs remove, rename, replace, add, append in that order', async () => {
    const echo = await call('order.test', '/request', { headers: { h1: 'gone', h2: 'renamed' } });
    expect(echo.headers).toMatchObject({ h1: 'renamed', h3: 'v3, v4' });
  });
});
