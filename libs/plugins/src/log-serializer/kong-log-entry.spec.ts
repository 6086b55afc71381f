import type { PluginContext, RequestLogFacts } from '../plugin-handler';
import { kongLogEntry, kongLogJson, queryTable } from './kong-log-entry';

const route = { id: 'r-1', name: 'orders', paths: ['/orders'], service: { id: 's-1' } };
const service = { id: 's-1', name: 'shop', host: 'shop.internal', port: 80 };
const facts = {
  requestUri: '/orders/7?x=1&x=2&debug',
  host: 'api.example',
  startedAt: 1_700_000_000_123,
  requestSize: 80,
  responseSize: 300,
  requestLatency: 3.6,
  kongLatency: 0.4,
  upstreamLatency: 2.5,
  upstreamUri: '/7?x=1&x=2&debug',
  upstreamStatus: 201,
  tries: [{ ip: '10.0.0.1', port: 80, balancer_latency: 0 }],
  responseHeaders: { 'content-type': 'application/json' },
  source: 'service',
  marks: { start: 0, routed: 0, upstreamSent: 0, upstreamHead: 0, end: 0 },
} satisfies RequestLogFacts;
const ctx = {
  method: 'POST',
  rawQuery: 'x=1&x=2&debug',
  scheme: 'https',
  clientIp: '192.0.2.9',
  headers: { host: 'api.example', authorization: 'Basic c2VjcmV0', 'proxy-authorization': 'x', accept: '*/*' },
  queryArgs: () => new URLSearchParams('x=1&x=2&debug'),
  route,
  service,
  consumer: null,
  credential: null,
  status: 201,
  logFacts: () => facts,
} as unknown as PluginContext;

describe("Kong's log serializer", () => {
  it('builds the entry in Kong\'s shape, credentials redacted, latencies in whole ms', () => {
    expect(kongLogEntry(ctx)).toEqual({
      request: {
        uri: '/orders/7?x=1&x=2&debug',
        url: 'https://api.example/orders/7?x=1&x=2&debug',
        querystring: { x: ['1', '2'], debug: true },
        method: 'POST',
        headers: { host: 'api.example', authorization: 'REDACTED', 'proxy-authorization': 'REDACTED', accept: '*/*' },
        size: 80,
      },
      upstream_uri: '/7?x=1&x=2&debug',
      upstream_status: '201',
      response: { status: 201, headers: { 'content-type': 'application/json' }, size: 300 },
      latencies: { kong: 0, proxy: 3, request: 4, receive: 0 },
      tries: [{ ip: '10.0.0.1', port: 80, balancer_latency: 0 }],
      authenticated_entity: null,
      route,
      service,
      consumer: null,
      client_ip: '192.0.2.9',
      started_at: 1_700_000_000_123,
      source: 'service',
    });
    // The client's own headers object is never changed by the redaction.
    expect((ctx.headers as Record<string, string>).authorization).toBe('Basic c2VjcmV0');
  });

  it('writes the same entry as JSON text, key for key', () => {
    expect(JSON.stringify(JSON.parse(kongLogJson(ctx)))).toBe(JSON.stringify(kongLogEntry(ctx)));
    expect(kongLogJson(ctx)).toBe(kongLogJson(ctx));
  });

  it("reads the query string as Kong's get_query does", () => {
    expect(queryTable(new URLSearchParams('a=1&b=&c&a=2'), 'a=1&b=&c&a=2')).toEqual({ a: ['1', '2'], b: '', c: true });
    expect(queryTable(new URLSearchParams(''), '')).toEqual({});
  });
});
