/**
 * request-termination against a real data plane; cases translated from Kong's
 * spec/03-plugins/14-request-termination/02-access_spec.lua and 01-schema_spec.lua (each `it` named beside it).
 */
import { validatePluginConfig } from '@tollgate/plugins';
import type { RunningDataPlane } from '../src/data-plane';
import { plugin, route, service, snapshot } from './support/config-fixtures';
import { startEchoUpstream, type EchoUpstream } from './support/echo-upstream';
import { json, send, startTestDataPlane } from './support/test-data-plane';

describe('request-termination', () => {
  let upstream: EchoUpstream;
  let dp: RunningDataPlane;
  const echo = service({ host: '127.0.0.1', port: 0 });
  const cases: [string, Record<string, unknown>][] = [
    ['/api1', {}],
    ['/api2', { status_code: 404 }],
    ['/api3', { status_code: 406, message: 'Invalid' }],
    ['/api4', { body: '<html><body><h1>Service is down for maintenance</h1></body></html>' }],
    ['/api5', { status_code: 451, content_type: 'text/html', body: '<html><body><h1>Service is down due to content infringement</h1></body></html>' }],
    ['/api6', { status_code: 503, body: '{"code": 1, "message": "Service unavailable"}' }],
    ['/api8', { status_code: 204 }],
    ['/api9', { echo: true, status_code: 404 }],
    ['/api10', { echo: true, trigger: 'gimme-an-echo', status_code: 404 }],
  ];
  // api9's path captures as Kong's spec route does (`~/(?<parameter>status)/200`, under the case's prefix).
  const routes = cases.map(([path]) =>
    route(echo, { paths: [path === '/api9' ? '~/api9/(?<parameter>status)/200' : path], hosts: [`${path.slice(1)}.request-termination.test`] }),
  );
  const serviceless = route(null, { paths: ['/api7'] });

  beforeAll(async () => {
    upstream = await startEchoUpstream();
    dp = await startTestDataPlane();
    const result = await dp.applySnapshot(
      snapshot({
        services: [{ ...echo, port: upstream.port }],
        routes: [...routes, serviceless],
        plugins: [...cases.map(([, config], i) => plugin('request-termination', config, { route: routes[i]! })), plugin('request-termination', {}, { route: serviceless })],
      }),
    );
    expect(result).toEqual({ ok: true });
  });

  afterAll(async () => {
    await dp.close();
    await upstream.close();
  });

  const get = (path: string, options: { headers?: Record<string, string>; body?: string; query?: string } = {}) =>
    send(`${dp.proxyUrl}${path}/status/200${options.query ?? ''}`, {
      // A GET body needs its length stated (node's client would not), as Kong's test client does.
      headers: { host: `${path.slice(1)}.request-termination.test`, ...(options.body ? { 'content-length': String(options.body.length) } : {}), ...options.headers },
      body: options.body,
    });

  // status code and message: "default status code and message", "... with serviceless route", "status code with default message",
  // "status code with custom message", "returns 204 without content length header"
  it("answers the status with Kong's default or the configured message", async () => {
    for (const [path, status, body] of [['/api1', 503, { message: 'Service unavailable' }], ['/api7', 503, { message: 'Service unavailable' }], ['/api2', 404, { message: 'Not found' }], ['/api3', 406, { message: 'Invalid' }]] as const) {
      const reply = await get(path);
      expect([path, reply.status, json(reply), reply.headers['content-type']]).toEqual([path, status, body, 'application/json; charset=utf-8']);
    }
    const empty = await get('/api8');
    expect([empty.status, empty.headers['content-length'], empty.body]).toEqual([204, undefined, '']);
  });

  // status code and body: "default status code and body", "status code with default message", "status code with custom message"
  it('answers a raw body with its content type', async () => {
    const down = await get('/api4');
    expect([down.status, down.body, down.headers['content-type']]).toEqual([503, '<html><body><h1>Service is down for maintenance</h1></body></html>', undefined]);
    const legal = await get('/api5');
    expect([legal.status, legal.headers['content-type'], legal.body]).toEqual([451, 'text/html', '<html><body><h1>Service is down due to content infringement</h1></body></html>']);
    const custom = await get('/api6');
    expect([custom.status, json(custom)]).toEqual([503, { code: 1, message: 'Service unavailable' }]);
  });

  // echo & trigger: "echos a request if no trigger is set"
  it('echoes the request it terminates', async () => {
    const reply = await get('/api9', { query: '?hello=there', body: 'cool body' });
    expect(reply.status).toBe(404);
    const echoed = json<{ matched_route: { hosts: string[] }; request: Record<string, unknown> }>(reply);
    expect(echoed.matched_route.hosts[0]).toBe('api9.request-termination.test');
    expect(echoed.request).toEqual({
      headers: { 'content-length': '9', host: 'api9.request-termination.test', connection: 'close' },
      host: 'api9.request-termination.test',
      port: Number(new URL(dp.proxyUrl).port),
      uri_captures: { named: { parameter: 'status' }, unnamed: ['status'] },
      method: 'GET',
      path: '/api9/status/200',
      query: { hello: 'there' },
      raw_body: 'cool body',
      scheme: 'http',
    });
  });

  // "doesn't echo a request if the trigger is set but not specified", "echos a request if the trigger is specified as a header",
  // "echos a request if the trigger is specified as a query parameter"
  it('terminates only requests carrying the trigger, as a header or a query parameter', async () => {
    expect((await get('/api10')).status).toBe(200);
    const byHeader = json<{ request: { headers: Record<string, string> } }>(await get('/api10', { headers: { 'Gimme-An-Echo': 'anything will do' }, body: 'cool body' }));
    expect(byHeader.request.headers['gimme-an-echo']).toBe('anything will do');
    const byQuery = await get('/api10', { query: '?hello=there&gimme-an-echo=anything%20will%20do', body: 'cool body' });
    expect(byQuery.status).toBe(404);
    expect(json<{ request: { query: unknown } }>(byQuery).request.query).toEqual({ hello: 'there', 'gimme-an-echo': 'anything will do' });
  });

  // 01-schema_spec: "should prevent using message and body", "... content_type without body", "... echo with body"
  it("refuses conflicting fields with Kong's messages", () => {
    const entity = (config: Record<string, unknown>) => validatePluginConfig('request-termination', config).errors;
    expect(entity({ message: 'x', body: 'y' })).toEqual({ config: { '@entity': ['message cannot be used with content_type or body'] } });
    expect(entity({ content_type: 'text/plain' })).toEqual({ config: { '@entity': ['content_type requires a body'] } });
    expect(entity({ echo: true, body: 'y' })).toEqual({ config: { '@entity': ['echo cannot be used with content_type and body'] } });
    expect(entity({ status_code: 600 })).toEqual({ config: { status_code: 'value should be between 100 and 599' } });
    expect(entity({ trigger: 'bad header' })).toEqual({ config: { trigger: 'bad header name: bad header' } });
  });
});
