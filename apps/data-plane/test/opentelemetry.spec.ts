/**
 * opentelemetry against a real upstream, a real data plane and a local OTLP/HTTP receiver that
 * decodes what it gets (protobuf with its own proto definitions, or JSON). Cases translated from
 * Kong's spec/03-plugins/37-opentelemetry/03-propagation_spec.lua and 04-exporter_spec.lua.
 */
import type { RunningDataPlane } from '../src/data-plane';
import { consumer, keyauth, plugin, route, service, snapshot } from './support/config-fixtures';
import { startEchoUpstream, type Echo, type EchoUpstream } from './support/echo-upstream';
import { OtlpReceiver } from './support/otlp-receiver';
import { json, send, startTestDataPlane } from './support/test-data-plane';

jest.setTimeout(60_000);

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-(0[01])$/;
const fast = { max_coalescing_delay: 0.05 };

describe('opentelemetry', () => {
  let upstream: EchoUpstream;
  let otlp: OtlpReceiver;
  let otlpJson: OtlpReceiver;
  let dp: RunningDataPlane;
  const upstreamHeaders = async (path: string, headers: Record<string, string> = {}) => {
    const reply = await send(`${dp.proxyUrl}${path}`, { headers });
    expect(reply.status).toBe(200);
    return { echo: json<Echo>(reply).headers as Record<string, string>, reply };
  };

  beforeAll(async () => {
    upstream = await startEchoUpstream();
    [otlp, otlpJson] = await Promise.all([OtlpReceiver.start(), OtlpReceiver.start()]);
    dp = await startTestDataPlane();
    const echo = service({ host: '127.0.0.1', port: upstream.port, name: 'echo' });
    const r = (path: string) => route(echo, { paths: [path], name: path.slice(1) });
    const routes = { preserve: r('/preserve'), ignore: r('/ignore'), w3c: r('/w3c'), b3: r('/b3'), b3single: r('/b3-single'), never: r('/never'), json: r('/json'), auth: r('/auth') };
    const alice = consumer('alice');
    const otel = (endpoint: string, extra: Record<string, unknown>, on: (typeof routes)[keyof typeof routes]) =>
      plugin('opentelemetry', { traces_endpoint: endpoint, queue: fast, ...extra }, { route: on });
    const result = await dp.applySnapshot(
      snapshot({
        services: [echo],
        routes: Object.values(routes),
        consumers: [alice],
        keyauth_credentials: [keyauth(alice, 'alice-key')],
        plugins: [
          otel(otlp.url, { http_response_header_for_traceid: 'X-Trace-Id', resource_attributes: { 'service.name': 'edge-gateway', 'deployment.environment': 'test' } }, routes.preserve),
          otel(otlp.url, { header_type: 'ignore' }, routes.ignore),
          otel(otlp.url, { header_type: 'w3c' }, routes.w3c),
          otel(otlp.url, { header_type: 'b3' }, routes.b3),
          otel(otlp.url, { header_type: 'b3-single' }, routes.b3single),
          otel(otlp.url, { sampling_rate: 0 }, routes.never),
          otel(otlpJson.url, { headers: { 'Content-Type': 'application/json', Authorization: 'Bearer otel-token' } }, routes.json),
          otel(otlp.url, {}, routes.auth),
          plugin('key-auth', {}, { route: routes.auth }),
        ],
      }),
    );
    expect(result).toEqual({ ok: true });
  });

  afterAll(async () => {
    await dp.close();
    await Promise.all([upstream.close(), otlp.close(), otlpJson.close()]);
  });

  // 03-propagation_spec.lua: it("default propagation headers (w3c)")
  it('starts a trace and sends a W3C traceparent upstream when the caller sent none', async () => {
    const { echo, reply } = await upstreamHeaders('/preserve/a');
    const m = TRACEPARENT.exec(echo.traceparent!)!;
    expect(m).not.toBeNull();
    expect(m[3]).toBe('01');
    // http_response_header_for_traceid
    expect(reply.headers['x-trace-id']).toBe(m[1]);
  });

  // 04-exporter_spec.lua: it("exports valid traces"); 03-propagation_spec.lua: it("sets the outgoint parent span's ID correctly (issue #11294)")
  it('exports the gateway\'s spans over OTLP protobuf, the upstream\'s parent being the balancer span', async () => {
    const { echo } = await upstreamHeaders('/preserve/spans?x=1');
    const [, traceId, parentSeenUpstream] = TRACEPARENT.exec(echo.traceparent!)!;
    const spans = await otlp.waitForTrace(traceId!, 4);
    const byName = Object.fromEntries(spans.map((s) => [s.name, s]));
    expect(Object.keys(byName).sort()).toEqual(['kong', 'kong.access', 'kong.balancer', 'kong.router']);
    const root = byName.kong!;
    expect(root).toMatchObject({ kind: 2, parentSpanId: '', statusCode: 0 });
    expect(root.attributes).toMatchObject({ 'http.method': 'GET', 'http.status_code': 200, 'http.scheme': 'http', 'net.peer.ip': '127.0.0.1' });
    expect(String(root.attributes['http.url'])).toMatch(/\/preserve\/spans\?x=1$/);
    // it("works") under "overwrite resource attributes #http"
    expect(root.resource).toMatchObject({ 'service.name': 'edge-gateway', 'deployment.environment': 'test' });
    const balancer = byName['kong.balancer']!;
    expect(balancer.spanId).toBe(parentSeenUpstream);
    expect(balancer).toMatchObject({ kind: 3, parentSpanId: root.spanId });
    expect(balancer.attributes).toMatchObject({ 'net.peer.ip': '127.0.0.1', 'net.peer.port': upstream.port, try_count: 1, 'http.status_code': 200 });
    for (const child of [byName['kong.router']!, byName['kong.access']!]) expect(child.parentSpanId).toBe(root.spanId);
    // Children sit inside the root span, in the gateway's order.
    expect(byName['kong.router']!.start).toBeGreaterThanOrEqual(root.start);
    expect(byName['kong.access']!.start).toBeGreaterThanOrEqual(byName['kong.router']!.end);
    expect(balancer.start).toBeGreaterThanOrEqual(byName['kong.access']!.start);
    expect(balancer.end).toBeLessThanOrEqual(root.end);
    expect(root.end).toBeGreaterThan(root.start);
    expect(otlp.requests.every((r) => r.headers['content-type'] === 'application/x-protobuf' && r.url === '/v1/traces')).toBe(true);
  });

  // 03-propagation_spec.lua: it("propagates w3c tracing headers")
  it('continues a caller\'s W3C trace: same trace id, the caller\'s span as the root\'s parent', async () => {
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    const { echo } = await upstreamHeaders('/preserve/w3c-in', { traceparent: `00-${traceId}-b7ad6b7169203331-01` });
    const [, upTrace, upParent, flags] = TRACEPARENT.exec(echo.traceparent!)!;
    expect([upTrace, flags]).toEqual([traceId, '01']);
    expect(upParent).not.toBe('b7ad6b7169203331');
    const spans = await otlp.waitForTrace(traceId, 4);
    expect(spans.find((s) => s.name === 'kong')!.parentSpanId).toBe('b7ad6b7169203331');
  });

  // 03-propagation_spec.lua: it("reflects the disabled sampled flag of the incoming tracing header")
  it('keeps the caller\'s decision not to sample: flag 00 upstream and nothing exported', async () => {
    const traceId = '1af7651916cd43dd8448eb211c80319c';
    const { echo } = await upstreamHeaders('/preserve/unsampled', { traceparent: `00-${traceId}-b7ad6b7169203331-00` });
    expect(TRACEPARENT.exec(echo.traceparent!)![3]).toBe('00');
    await upstreamHeaders('/preserve/after');
    await new Promise((done) => setTimeout(done, 300));
    expect(otlp.trace(traceId)).toHaveLength(0);
  });

  // 03-propagation_spec.lua: it("propagates tracing headers (b3 request)")
  it('preserve: answers a B3 caller in B3', async () => {
    const { echo } = await upstreamHeaders('/preserve/b3-in', { 'x-b3-traceid': '80f198ee56343ba864fe8b2a57d3eff7', 'x-b3-spanid': 'e457b5a2e4d86bd1', 'x-b3-sampled': '1' });
    expect(echo['x-b3-traceid']).toBe('80f198ee56343ba864fe8b2a57d3eff7');
    expect(echo['x-b3-spanid']).toMatch(/^[0-9a-f]{16}$/);
    expect(echo['x-b3-spanid']).not.toBe('e457b5a2e4d86bd1');
    expect(echo['x-b3-sampled']).toBe('1');
    expect(echo.traceparent).toBeUndefined();
  });

  // 03-propagation_spec.lua: it("propagates w3c tracing headers when header_type set to w3c")
  it('header_type w3c: reads a B3 trace and sends it on as traceparent', async () => {
    const { echo } = await upstreamHeaders('/w3c', { 'x-b3-traceid': '80f198ee56343ba864fe8b2a57d3eff7', 'x-b3-spanid': 'e457b5a2e4d86bd1', 'x-b3-sampled': '1' });
    expect(TRACEPARENT.exec(echo.traceparent!)![1]).toBe('80f198ee56343ba864fe8b2a57d3eff7');
  });

  // 03-propagation_spec.lua: it("defaults to w3c without propagating when header_type set to ignore and w3c headers sent")
  it('header_type ignore: starts its own trace whatever the caller sent', async () => {
    const { echo } = await upstreamHeaders('/ignore', { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' });
    const [, traceId] = TRACEPARENT.exec(echo.traceparent!)!;
    expect(traceId).not.toBe('0af7651916cd43dd8448eb211c80319c');
  });

  // 03-propagation_spec.lua: it("propagates b3-single tracing headers when header_type set to b3-single") and b3 with parent_id
  it('header_type b3 and b3-single: sends the trace in that format', async () => {
    const incoming = { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' };
    const single = (await upstreamHeaders('/b3-single', incoming)).echo.b3!;
    expect(single).toMatch(/^0af7651916cd43dd8448eb211c80319c-[0-9a-f]{16}-1-[0-9a-f]{16}$/);
    const multi = (await upstreamHeaders('/b3', incoming)).echo;
    expect(multi).toMatchObject({ 'x-b3-traceid': '0af7651916cd43dd8448eb211c80319c', 'x-b3-sampled': '1' });
    expect(multi['x-b3-parentspanid']).toMatch(/^[0-9a-f]{16}$/);
  });

  // 04-exporter_spec.lua: it("does not sample spans when trace_id == non_sampled_trace_id")
  it('sampling_rate 0 exports nothing but still propagates (flag 00)', async () => {
    const { echo } = await upstreamHeaders('/never');
    const [, traceId, , flags] = TRACEPARENT.exec(echo.traceparent!)!;
    expect(flags).toBe('00');
    await new Promise((done) => setTimeout(done, 300));
    expect(otlp.trace(traceId!)).toHaveLength(0);
  });

  it('exports OTLP JSON with the configured headers when they ask for application/json', async () => {
    const { echo } = await upstreamHeaders('/json');
    const [, traceId] = TRACEPARENT.exec(echo.traceparent!)!;
    const spans = await otlpJson.waitForTrace(traceId!, 4);
    expect(spans.find((s) => s.name === 'kong')!.resource).toMatchObject({ 'service.name': 'kong' });
    expect(otlpJson.requests[0]!.headers).toMatchObject({ 'content-type': 'application/json', authorization: 'Bearer otel-token' });
  });

  it('traces a call a plugin answered before the upstream: root, router and access spans, status from the gateway', async () => {
    const traceId = '2af7651916cd43dd8448eb211c80319c';
    const reply = await send(`${dp.proxyUrl}/auth`, { headers: { traceparent: `00-${traceId}-b7ad6b7169203331-01` } });
    expect(reply.status).toBe(401);
    const spans = await otlp.waitForTrace(traceId, 3);
    expect(spans.map((s) => s.name).sort()).toEqual(['kong', 'kong.access', 'kong.router']);
    expect(spans.find((s) => s.name === 'kong')!.attributes['http.status_code']).toBe(401);
  });

  it('batches the spans of many calls into few exports', async () => {
    const before = otlp.requests.length;
    await Promise.all(Array.from({ length: 20 }, (_, i) => upstreamHeaders(`/preserve/batch-${i}`)));
    await new Promise((done) => setTimeout(done, 400));
    const exported = otlp.requests.slice(before);
    expect(exported.reduce((n, r) => n + r.spans, 0)).toBe(80);
    expect(exported.length).toBeLessThan(20);
  });
});
