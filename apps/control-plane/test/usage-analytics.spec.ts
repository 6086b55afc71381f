import { LatencyHistogram, MINUTE_MS, parseUsageBatch, type UsageBatch, type UsageRow } from '@tollgate/usage';
import { BatchApplier } from '../src/usage/batch-applier';
import { UsageRetention } from '../src/usage/usage-retention';
import { UsageRoller } from '../src/usage/usage-roller';
import { admin, expectKongError, expectStatus, KONG, startTestControlPlane, type TestControlPlane } from './admin-api';
import { tally, usageRows, type UsageTotals } from './usage-support';

type Row = UsageTotals & Record<string, unknown> & { bucket: string; error_rate: number; latency: { gateway: Quantiles; upstream: Quantiles } };
type Quantiles = { p50: number | null; p95: number | null; p99: number | null };

const DAY = '2026-02-01';
const at = (time: string) => Date.parse(`${DAY}T${time}Z`);
const RANGE = { from: `${DAY}T00:00:00Z`, to: `${DAY}T23:59:59Z` };

function histogram(values: readonly number[]): string {
  const h = new LatencyHistogram();
  for (const v of values) h.record(v);
  return h.toBase64();
}

function trueQuantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(q * (sorted.length - 1))]!;
}

describe('GET /analytics/usage', () => {
  let cp: TestControlPlane;
  let applier: BatchApplier;
  const ids: Record<string, string> = {};
  let seq = 0;
  const payGateway = Array.from({ length: 100 }, (_, i) => (i + 1) * 0.5);
  const payUpstream = Array.from({ length: 100 }, (_, i) => 10 + ((i * 37) % 100) * 3);

  function row(minute: number, service: string | null, route: string | null, consumer: string | null, status: number, count: number, extra: Partial<UsageRow> = {}): UsageRow {
    const fixed = Array.from({ length: count }, () => 5);
    return {
      minute,
      service_id: service === null ? null : ids[service]!,
      route_id: route === null ? null : ids[route]!,
      consumer_id: consumer === null ? null : ids[consumer]!,
      status,
      count,
      bytes_in: count * 100,
      bytes_out: count * 1000,
      gateway_latency: histogram(fixed),
      upstream_latency: histogram(route === null ? [] : fixed),
      ...extra,
    };
  }

  async function apply(node: string, region: string, rows: UsageRow[]): Promise<string> {
    seq++;
    const batch: UsageBatch = { format: 1, id: `${node}:boot:${seq}`, node_id: node, boot_id: 'boot', seq, region, flushed_at: Date.now(), rows };
    return applier.apply(parseUsageBatch(JSON.parse(JSON.stringify(batch))));
  }

  beforeAll(async () => {
    cp = await startTestControlPlane('usage-analytics', { usageWorkerConcurrency: 0 });
    applier = cp.app.get(BatchApplier);
    for (const name of ['pay', 'maps', 'gone']) ids[name] = (await admin(cp).post('/services').send({ name, host: `${name}.internal` }).expect(201)).body.id;
    for (const name of ['pay', 'maps', 'gone']) ids[`${name}-route`] = (await admin(cp).post(`/services/${name}/routes`).send({ name: `${name}-route`, paths: [`/${name}`] }).expect(201)).body.id;
    for (const username of ['carol', 'dave', '=HYPERLINK("x")']) ids[username] = (await admin(cp).post('/consumers').send({ username }).expect(201)).body.id;
    await apply('n1', 'eu-west', [
      row(at('10:00:00'), 'pay', 'pay-route', 'carol', 200, 100, { gateway_latency: histogram(payGateway), upstream_latency: histogram(payUpstream) }),
      row(at('10:00:00'), 'pay', 'pay-route', 'carol', 500, 2),
      row(at('10:00:00'), 'maps', 'maps-route', 'dave', 200, 5),
      row(at('10:01:00'), 'pay', 'pay-route', 'dave', 503, 3),
      row(at('10:01:00'), 'maps', 'maps-route', 'carol', 200, 20),
    ]);
    await apply('n2', 'us-east', [
      row(at('11:30:00'), 'maps', 'maps-route', 'dave', 404, 4),
      row(at('11:30:00'), null, null, null, 404, 6),
      row(at('11:30:00'), 'maps', 'maps-route', '=HYPERLINK("x")', 200, 1),
    ]);
    await apply('n1', 'eu-west', [row(at('09:59:00'), 'pay', 'pay-route', 'carol', 200, 1)]); // late and out of order
    await apply('n1', 'eu-west', [row(at('12:00:00'), 'gone', 'gone-route', 'carol', 200, 2)]);
    await admin(cp).delete('/routes/gone-route').expect(204);
    await admin(cp).delete('/services/gone').expect(204);
  });

  afterAll(async () => {
    await cp.stop();
  });

  it('counts, error rate and bytes per bucket; hour and day rollups agree with the minutes', async () => {
    const [minutes, hours, days] = await Promise.all(['minute', 'hour', 'day'].map((granularity) => usageRows<Row>(cp, { ...RANGE, granularity })));
    const all = (rows: Row[]) => tally(rows, () => 'all').all;
    expect(all(minutes)).toEqual({ requests: 144, errors: 5, bytes_in: 14400, bytes_out: 144000 });
    expect(all(hours)).toEqual(all(minutes));
    expect(days).toEqual([expect.objectContaining({ bucket: `${DAY}T00:00:00.000Z`, requests: 144, errors: 5, error_rate: Math.round((5 / 144) * 1e6) / 1e6 })]);
    expect(minutes.map((m) => [m.bucket.slice(11, 16), m.requests])).toEqual([
      ['09:59', 1],
      ['10:00', 107],
      ['10:01', 23],
      ['11:30', 11],
      ['12:00', 2],
    ]);
    expect(hours.map((h) => [h.bucket.slice(11, 16), h.requests])).toEqual([
      ['09:00', 1],
      ['10:00', 130],
      ['11:00', 11],
      ['12:00', 2],
    ]);
  });

  it('reports p50/p95/p99 of gateway and upstream latency within 1% of the true values', async () => {
    const [day] = await usageRows<Row>(cp, { from: `${DAY}T10:00:00Z`, to: `${DAY}T11:00:00Z`, service: 'pay', status_class: '2xx' });
    for (const [phase, values] of [
      ['gateway', payGateway],
      ['upstream', payUpstream],
    ] as const) {
      for (const q of ['p50', 'p95', 'p99'] as const) {
        const truth = trueQuantile(values, Number(q.slice(1)) / 100);
        expect(Math.abs(day!.latency[phase][q]! - truth)).toBeLessThanOrEqual(truth * 0.01 + 0.001);
      }
    }
  });

  it('orders by requests or errors, and top=N keeps the leading groups', async () => {
    const byRequests = await usageRows<Row>(cp, { ...RANGE, granularity: 'day', group_by: 'consumer', order_by: 'requests' });
    expect(byRequests.map((r) => [(r.consumer as { name: string } | null)?.name ?? null, r.requests])).toEqual([
      ['carol', 125],
      ['dave', 12],
      [null, 6],
      ['=HYPERLINK("x")', 1],
    ]);
    const topErrors = await usageRows<Row>(cp, { ...RANGE, granularity: 'hour', group_by: 'service', order_by: 'errors', top: 1 });
    expect(topErrors.map((r) => [(r.service as { name: string }).name, r.bucket.slice(11, 16), r.errors])).toEqual([
      ['pay', '09:00', 0],
      ['pay', '10:00', 5],
    ]);
    const top2 = await usageRows<Row>(cp, { ...RANGE, granularity: 'day', group_by: 'region,status_class', top: 2 });
    expect(top2.map((r) => [r.region, r.status_class, r.requests])).toEqual([
      ['eu-west', '2xx', 128],
      ['us-east', '4xx', 10],
    ]);
  });

  it('pages with an opaque offset and a next link that keeps the query; the pages add up to the whole', async () => {
    for (const extra of [{}, { order_by: 'requests' }, { top: '3' }] as Record<string, string>[]) {
      const base = { ...RANGE, granularity: 'minute', group_by: 'service,consumer,status_class', ...extra };
      const whole = await usageRows<Row>(cp, { ...base, size: 1000 });
      const pages: Row[] = [];
      let path: string | null = `/analytics/usage?${new URLSearchParams({ ...base, size: '2' }).toString()}`;
      while (path !== null) {
        const res = await admin(cp).get(path);
        expectStatus(res, 200);
        expect(res.body.data.length).toBeLessThanOrEqual(2);
        pages.push(...res.body.data);
        if (res.body.next !== null) expect(res.body.next).toContain(`offset=${encodeURIComponent(res.body.offset)}`);
        path = res.body.next;
      }
      expect(pages).toEqual(whole);
      expect(whole.length).toBeGreaterThan(2); // at least two pages of two
    }
  });

  it('answers CSV with format=csv, named entities as id and name columns, formulas defused', async () => {
    const res = await admin(cp).get(`/analytics/usage?from=${RANGE.from}&to=${RANGE.to}&granularity=day&group_by=consumer,region&order_by=requests&size=3&format=csv`);
    expectStatus(res, 200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.headers.link).toMatch(/^<\/analytics\/usage\?.*offset=.*>; rel="next"$/);
    const lines = res.text.trimEnd().split('\r\n');
    expect(lines[0]).toBe('bucket,consumer_id,consumer_name,region,requests,errors,error_rate,bytes_in,bytes_out,gateway_p50,gateway_p95,gateway_p99,upstream_p50,upstream_p95,upstream_p99');
    expect(lines[1]).toMatch(new RegExp(`^${DAY}T00:00:00.000Z,${ids.carol},carol,eu-west,125,2,0.016,12500,125000,`));
    const next = await admin(cp).get(res.headers.link!.slice(1, res.headers.link!.indexOf('>')));
    expect(next.text).toContain(`${ids['=HYPERLINK("x")']},"'=HYPERLINK(""x"")",us-east,1,0,0,`);
    expect(next.headers.link).toBeUndefined();
  });

  it('keeps usage of a deleted service, by id, with its name null', async () => {
    const rows = await usageRows<Row>(cp, { ...RANGE, granularity: 'day', group_by: 'service', service: ids.gone! });
    expect(rows).toEqual([expect.objectContaining({ service: { id: ids.gone, name: null }, requests: 2 })]);
  });

  it('applies a batch once: a second delivery is reported as a duplicate and adds nothing', async () => {
    const rows = [row(at('13:00:00'), 'maps', 'maps-route', 'dave', 200, 3)];
    seq = 900;
    expect(await apply('n3', 'eu-west', rows)).toBe('applied');
    seq = 900;
    expect(await apply('n3', 'eu-west', rows)).toBe('duplicate');
    const [day] = await usageRows<Row>(cp, { from: `${DAY}T13:00:00Z`, to: `${DAY}T14:00:00Z`, granularity: 'hour' });
    expect(day!.requests).toBe(3);
  });

  it.each([
    [{ granularity: 'week' }, 'granularity', /expected one of: minute, hour, day/],
    [{ group_by: 'service,planet' }, 'group_by', /unknown field 'planet'/],
    [{ group_by: 'service,service' }, 'group_by', /listed twice/],
    [{ top: '5' }, 'top', /needs group_by/],
    [{ top: '0', group_by: 'service' }, 'top', /integer from 1/],
    [{ order_by: 'latency' }, 'order_by', /requests, errors/],
    [{ from: 'yesterday' }, 'from', /ISO 8601/],
    [{ from: '2026-02-01T10:00:00' }, 'from', /ISO 8601/],
    [{ from: '2026-02-02T00:00:00Z', to: '2026-02-01T00:00:00Z' }, 'to', /later than/],
    [{ from: '2020-01-01T00:00:00Z', to: '2026-01-01T00:00:00Z', granularity: 'minute' }, 'to', /range too long/],
    [{ status_class: '6xx' }, 'status_class', /1xx to 5xx/],
    [{ region: 'EU West' }, 'region', /invalid value/],
    [{ service: 'no-such-service' }, 'service', /no service with id or name 'no-such-service'/],
    [{ consumer: 'nobody' }, 'consumer', /no consumer with id or username 'nobody'/],
    [{ format: 'xml' }, 'format', /json, csv/],
    [{ servce: 'pay' }, 'servce', /unknown parameter/],
  ])('refuses %j with a 400 naming %s', async (params, field, problem) => {
    const res = await admin(cp).get(`/analytics/usage?${new URLSearchParams(params as Record<string, string>).toString()}`);
    expectKongError(res, KONG.SCHEMA_VIOLATION, { [field]: expect.stringMatching(problem) }, new RegExp(`^schema violation \\(${field}: `));
  });

  it('refuses repeated parameters, bad sizes and foreign offsets with their own codes', async () => {
    expectKongError(await admin(cp).get('/analytics/usage?service=pay&service=maps'), KONG.SCHEMA_VIOLATION, { service: 'expected a single value' });
    expectKongError(await admin(cp).get('/analytics/usage?size=0'), KONG.INVALID_SIZE);
    const page = await admin(cp).get(`/analytics/usage?from=${RANGE.from}&to=${RANGE.to}&granularity=minute&size=1`);
    expectKongError(await admin(cp).get(`/analytics/usage?from=${RANGE.from}&group_by=service&offset=${page.body.offset}`), KONG.INVALID_OFFSET);
    expectKongError(await admin(cp).get('/analytics/usage?offset=bm90LWpzb24'), KONG.INVALID_OFFSET);
  });

  it('the retention sweep drops old minute rows and batch ids, and keeps hours and days', async () => {
    const retention = cp.app.get(UsageRetention);
    await cp.app.get(UsageRoller).rollOnce(); // only rolled minutes are dropped (the roller's own spec shows the rest are kept)
    const swept = await retention.sweep({ minuteRowsMs: 48 * 3_600_000, batchIdsMs: 3_600_000 }, at('12:00:00') + 48 * 3_600_000 - MINUTE_MS);
    expect(swept.minuteRows).toBeGreaterThan(0);
    const minutes = await usageRows<Row>(cp, { ...RANGE, granularity: 'minute' });
    expect(minutes.map((m) => m.bucket.slice(11, 16))).toEqual(['12:00', '13:00']);
    const [day] = await usageRows<Row>(cp, { ...RANGE, granularity: 'day' });
    expect(day!.requests).toBe(147);
    const ids = await retention.sweep({ minuteRowsMs: 365 * 86_400_000, batchIdsMs: 3_600_000 }, Date.now() + 2 * 3_600_000);
    expect(ids).toEqual({ minuteRows: 0, batchIds: 5 });
    expect(await cp.schema.query('SELECT id FROM usage_batches')).toEqual([]);
  });
});
