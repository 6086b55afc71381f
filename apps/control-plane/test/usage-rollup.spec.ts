// The fixture starts this very app in-process, so the import closes a loop that only tests may close.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { createTestSchema } from '@tollgate/testing';
import { LatencyHistogram, parseUsageBatch, type UsageBatch, type UsageRow } from '@tollgate/usage';
import { DataSource } from 'typeorm';
import { dataSourceOptions, MIGRATIONS } from '../src/database/data-source-options';
import { BatchApplier } from '../src/usage/batch-applier';
import { RollupMarks } from '../src/usage/rollup-marks';
import { RollupWriter } from '../src/usage/rollup-writer';
import { UsageMetrics } from '../src/usage/usage-metrics';
import { UsageRetention } from '../src/usage/usage-retention';
import { UsageRoller, type RollSummary } from '../src/usage/usage-roller';
import { admin, startTestControlPlane, type TestControlPlane } from './admin-api';
import { seededRandom, tally, usageRows, type UsageTotals } from './usage-support';

type Quantiles = { p50: number | null; p95: number | null; p99: number | null };
type Latency = { gateway: Quantiles; upstream: Quantiles };
type Row = UsageTotals & { bucket: string; node: string; latency: Latency };
type Granularity = 'hour' | 'day';

const BUCKET: Record<Granularity, number> = { hour: 3_600_000, day: 86_400_000 };
const at = (time: string) => Date.parse(`${time}Z`);
const RANGE = { from: '2026-03-01T00:00:00Z', to: '2026-03-08T00:00:00Z' };
/** rollOnce(now) rolls the minutes that ended 15 s before now: this rolls those before `time`. */
const rollingBefore = (time: string) => at(time) + 20_000;
const FAR = at('2026-03-04T00:00:00');

/** What the test applied, per row: the truth every answer is checked against. */
interface Applied {
  node: string;
  minute: number;
  requests: number;
  errors: number;
  bytes_in: number;
  bytes_out: number;
  gateway: LatencyHistogram;
  upstream: LatencyHistogram;
}

/** The analytics API's rounding of a quantile. */
function quantiles(h: LatencyHistogram): Quantiles {
  const q = (p: number) => {
    const v = h.quantile(p);
    return v === null ? null : Math.round(v * 1000) / 1000;
  };
  return { p50: q(0.5), p95: q(0.95), p99: q(0.99) };
}

const bucketOf = (ms: number, g: Granularity) => new Date(ms - (ms % BUCKET[g])).toISOString();
const rowKey = (r: { bucket: string; node: string }) => `${r.bucket}|${r.node}`;

describe('usage rollups: hour and day rolled from closed minutes, per node', () => {
  let cp: TestControlPlane;
  let applier: BatchApplier;
  let roller: UsageRoller;
  const applied: Applied[] = [];
  const batches: UsageBatch[] = [];
  const random = seededRandom(42);
  const services = ['11111111-1111-4111-8111-111111111111', '22222222-2222-4222-8222-222222222222'];
  const seqs = new Map<string, number>();

  /** A node's batch: `keys` rows in each given minute, random counts and latencies. */
  function makeBatch(node: string, minutes: readonly string[], keys = 3): UsageBatch {
    const rows: UsageRow[] = [];
    for (const minute of minutes) {
      for (let k = 0; k < keys; k++) {
        const gateway = new LatencyHistogram();
        const upstream = new LatencyHistogram();
        const count = 1 + Math.floor(random() * 30);
        for (let c = 0; c < count; c++) {
          gateway.record(0.1 + random() * 5);
          if (k !== 2) upstream.record(1 + random() * random() * 800);
        }
        rows.push({
          minute: at(minute),
          service_id: k === 2 ? null : services[k % 2]!,
          route_id: null,
          consumer_id: null,
          status: [200, 503, 404, 201, 500][k]!,
          count,
          bytes_in: count * 10 + k,
          bytes_out: count * 100 + k,
          gateway_latency: gateway.toBase64(),
          upstream_latency: upstream.toBase64(),
        });
      }
    }
    const seq = (seqs.get(node) ?? 0) + 1;
    seqs.set(node, seq);
    return { format: 1, id: `${node}:boot:${seq}`, node_id: node, boot_id: 'boot', seq, region: node === 'n2' ? 'us-east' : 'eu-west', flushed_at: Date.now(), rows };
  }

  async function apply(batch: UsageBatch): Promise<string> {
    const outcome = await applier.apply(parseUsageBatch(JSON.parse(JSON.stringify(batch))));
    if (outcome === 'applied') {
      batches.push(batch);
      for (const r of batch.rows) {
        applied.push({
          node: batch.node_id,
          minute: r.minute,
          requests: r.count,
          errors: r.status >= 500 ? r.count : 0,
          bytes_in: r.bytes_in,
          bytes_out: r.bytes_out,
          gateway: LatencyHistogram.fromBase64(r.gateway_latency),
          upstream: LatencyHistogram.fromBase64(r.upstream_latency),
        });
      }
    }
    return outcome;
  }

  /** Per (bucket, node): the sums and the quantiles of every applied row's histograms merged. */
  function expected(g: Granularity): { totals: Record<string, UsageTotals>; latency: Record<string, Latency> } {
    const merged = new Map<string, { gateway: LatencyHistogram; upstream: LatencyHistogram }>();
    for (const a of applied) {
      const key = rowKey({ bucket: bucketOf(a.minute, g), node: a.node });
      const m = merged.get(key) ?? { gateway: new LatencyHistogram(), upstream: new LatencyHistogram() };
      m.gateway.merge(a.gateway);
      m.upstream.merge(a.upstream);
      merged.set(key, m);
    }
    const totals = tally(applied, (a) => rowKey({ bucket: bucketOf(a.minute, g), node: a.node }));
    const latency = Object.fromEntries([...merged].map(([k, m]) => [k, { gateway: quantiles(m.gateway), upstream: quantiles(m.upstream) }]));
    return { totals, latency };
  }

  /** Hour and day analytics by node equal the truth (sums and merged quantiles) and, while minutes are kept, the minute analytics. */
  async function expectExact(minutesKept = true): Promise<void> {
    const minutes = await usageRows<Row>(cp, { ...RANGE, granularity: 'minute', group_by: 'node', size: 1000 });
    for (const g of ['hour', 'day'] as const) {
      const rows = await usageRows<Row>(cp, { ...RANGE, granularity: g, group_by: 'node', size: 1000 });
      const truth = expected(g);
      expect([g, tally(rows, rowKey)]).toEqual([g, truth.totals]);
      expect([g, Object.fromEntries(rows.map((r) => [rowKey(r), r.latency]))]).toEqual([g, truth.latency]);
      if (minutesKept) expect([g, tally(minutes, (r) => rowKey({ bucket: bucketOf(Date.parse(r.bucket), g), node: r.node }))]).toEqual([g, truth.totals]);
    }
  }

  async function marks(): Promise<Record<string, [string, string | null]>> {
    const rows = await cp.schema.query<{ node_id: string; rolled_to: Date; unrolled_since: Date | null }>(`SELECT * FROM usage_rollup_marks`);
    return Object.fromEntries(rows.map((r) => [r.node_id, [r.rolled_to.toISOString(), r.unrolled_since?.toISOString() ?? null]]));
  }

  async function tableRequests(table: string, node?: string): Promise<number> {
    const [row] = await cp.schema.query<{ n: string | null }>(`SELECT sum(requests) AS n FROM ${table} WHERE $1::text IS NULL OR node_id = $1`, [node ?? null]);
    return Number(row!.n ?? 0);
  }

  async function metric(name: string): Promise<number> {
    const res = await admin(cp).get('/metrics');
    return Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(res.text)?.[1]);
  }

  beforeAll(async () => {
    cp = await startTestControlPlane('usage-rollup', { usageWorkerConcurrency: 0, usageRollIntervalMs: 0 });
    applier = cp.app.get(BatchApplier);
    roller = cp.app.get(UsageRoller);
  });

  afterAll(async () => {
    await cp?.stop();
  });

  it('before any roll: batches write minutes only, and hour and day analytics are exact from them', async () => {
    await apply(makeBatch('n1', ['2026-03-01T10:00:00', '2026-03-01T10:01:00']));
    await apply(makeBatch('n2', ['2026-03-01T10:00:00']));
    await apply(makeBatch('n1', ['2026-03-01T10:01:00', '2026-03-01T10:02:00', '2026-03-01T10:03:00']));
    await apply(makeBatch('n2', ['2026-03-01T10:02:00', '2026-03-01T10:59:00', '2026-03-01T11:00:00']));
    await apply(makeBatch('n1', ['2026-03-01T23:59:00', '2026-03-02T00:00:00', '2026-03-02T00:01:00']));
    await apply(makeBatch('n2', ['2026-03-01T23:58:00', '2026-03-02T00:00:00']));
    expect(await tableRequests('usage_hour')).toBe(0);
    expect(await tableRequests('usage_day')).toBe(0);
    expect(await marks()).toEqual({
      n1: ['2026-03-01T10:00:00.000Z', '2026-03-01T10:00:00.000Z'],
      n2: ['2026-03-01T10:00:00.000Z', '2026-03-01T10:00:00.000Z'],
    });
    await expectExact();
  });

  it('mixed: once the minutes before 10:02 are rolled, hour and day add the rolled and the unrolled exactly', async () => {
    const summary = await roller.rollOnce(rollingBefore('2026-03-01T10:02:00'));
    expect(summary).toEqual({ rolls: 2, minuteRows: 9, failures: 0 }); // three keys: n1 at 10:00 and 10:01, n2 at 10:00
    expect(await marks()).toEqual({
      n1: ['2026-03-01T10:02:00.000Z', '2026-03-01T10:02:00.000Z'],
      n2: ['2026-03-01T10:02:00.000Z', '2026-03-01T10:02:00.000Z'],
    });
    expect(await tableRequests('usage_hour')).toBe(applied.filter((a) => a.minute < at('2026-03-01T10:02:00')).reduce((n, a) => n + a.requests, 0));
    await expectExact();
    expect(await roller.rollOnce(rollingBefore('2026-03-01T10:02:00'))).toEqual({ rolls: 0, minuteRows: 0, failures: 0 });
  });

  it('a late batch (a minute its node already rolled) lands in all three rollups and counts once in hour and day', async () => {
    const lateBefore = await metric('tollgate_usage_late_rows_total');
    const hourBefore = await tableRequests('usage_hour', 'n1');
    const minuteBefore = await tableRequests('usage_minute', 'n1');
    const late = makeBatch('n1', ['2026-03-01T10:01:00', '2026-03-01T10:05:00']);
    expect(await apply(late)).toBe('applied');
    const lateRequests = late.rows.filter((r) => r.minute === at('2026-03-01T10:01:00')).reduce((n, r) => n + r.count, 0);
    const all = late.rows.reduce((n, r) => n + r.count, 0);
    expect(await tableRequests('usage_hour', 'n1')).toBe(hourBefore + lateRequests);
    expect(await tableRequests('usage_minute', 'n1')).toBe(minuteBefore + all);
    expect(await metric('tollgate_usage_late_rows_total')).toBe(lateBefore + 3);
    expect((await marks()).n1).toEqual(['2026-03-01T10:02:00.000Z', '2026-03-01T10:02:00.000Z']);
    await expectExact();
    await roller.rollOnce(rollingBefore('2026-03-01T10:06:00'));
    await expectExact();
  });

  it('a batch delivered again after its minutes were rolled is still dropped', async () => {
    const before = await tableRequests('usage_minute');
    expect(await apply(batches[0]!)).toBe('duplicate');
    expect(await apply(batches[2]!)).toBe('duplicate');
    expect(await tableRequests('usage_minute')).toBe(before);
    await expectExact();
  });

  it('after a full roll: hour and day tables hold every minute once, and the marks have nothing unrolled', async () => {
    await roller.rollOnce(FAR);
    expect(await marks()).toEqual({ n1: ['2026-03-03T23:59:00.000Z', null], n2: ['2026-03-03T23:59:00.000Z', null] });
    const minutes = await tableRequests('usage_minute');
    expect([await tableRequests('usage_hour'), await tableRequests('usage_day')]).toEqual([minutes, minutes]);
    await expectExact();
  });

  it('a new minute after a roll is written as minute only and marked unrolled', async () => {
    // The mark moved to the last closed minute (FAR, in the test's clock): a later minute is new.
    await apply(makeBatch('n2', ['2026-03-04T00:00:00']));
    expect((await marks()).n2).toEqual(['2026-03-03T23:59:00.000Z', '2026-03-04T00:00:00.000Z']);
    expect(await tableRequests('usage_day', 'n2')).toBe(applied.filter((a) => a.node === 'n2' && a.minute < at('2026-03-04T00:00:00')).reduce((n, a) => n + a.requests, 0));
    await roller.rollOnce(FAR + 86_400_000);
    expect((await marks()).n2).toEqual(['2026-03-04T23:59:00.000Z', null]);
    expect(await tableRequests('usage_day', 'n2')).toBe(await tableRequests('usage_minute', 'n2'));
  });

  it('two rollers at once, while batches keep arriving, roll each minute exactly once', async () => {
    const nodes = ['c1', 'c2', 'c3', 'c4', 'c5', 'c6'];
    for (const node of nodes) {
      await apply(makeBatch(node, ['2026-03-01T14:00:00', '2026-03-01T14:01:00', '2026-03-01T14:02:00'], 5));
      await apply(makeBatch(node, ['2026-03-01T14:02:00', '2026-03-01T14:03:00', '2026-03-01T15:10:00'], 5));
    }
    const closedTo = at('2026-03-01T14:03:00');
    const [due] = await cp.schema.query<{ n: string }>(
      `SELECT count(*) AS n FROM usage_minute m JOIN usage_rollup_marks k USING (node_id) WHERE m.bucket >= k.rolled_to AND m.bucket < $1`,
      [new Date(closedTo).toISOString()],
    );
    // Two instances, as on two replicas (the same database, the same node locks), plus batches for
    // minutes on both sides of what they roll.
    const other = new UsageRoller(cp.app.get(DataSource), cp.app.get(RollupMarks), cp.app.get(RollupWriter), cp.app.get(UsageMetrics));
    const summaries: RollSummary[] = [];
    await Promise.all([
      roller.rollOnce(closedTo + 20_000).then((s) => summaries.push(s)),
      other.rollOnce(closedTo + 20_000).then((s) => summaries.push(s)),
      roller.rollOnce(closedTo + 20_000).then((s) => summaries.push(s)),
      ...nodes.map((node) => apply(makeBatch(node, ['2026-03-01T14:01:00', '2026-03-01T14:04:00']))),
    ]);
    expect(summaries.map((s) => s.failures)).toEqual([0, 0, 0]);
    expect(summaries.reduce((n, s) => n + s.minuteRows, 0)).toBe(Number(due!.n));
    for (const node of nodes) expect((await marks())[node]).toEqual(['2026-03-01T14:03:00.000Z', '2026-03-01T14:03:00.000Z']);
    await expectExact();
    await roller.rollOnce(FAR);
    for (const node of nodes) expect(await tableRequests('usage_hour', node)).toBe(await tableRequests('usage_minute', node));
    await expectExact();
  });

  it('a roll that fails after its hour upsert rolls back whole: nothing counted twice or lost, retried at the next pass', async () => {
    // Minutes after both nodes' marks (n1 rolled to 03-03 23:59, n2 to 03-04 23:59).
    await apply(makeBatch('n1', ['2026-03-05T08:00:00', '2026-03-05T08:01:00']));
    await apply(makeBatch('n2', ['2026-03-05T08:00:00']));
    const before = { marks: await marks(), hour: await tableRequests('usage_hour'), day: await tableRequests('usage_day') };
    await cp.schema.query(`CREATE FUNCTION usage_roll_fault() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'injected roll fault'; END $$`);
    // The roller writes usage_hour, then usage_day: this fails every roll after its hour upsert.
    await cp.schema.query(`CREATE TRIGGER usage_roll_fault BEFORE INSERT ON usage_day FOR EACH STATEMENT EXECUTE FUNCTION usage_roll_fault()`);
    try {
      const failuresBefore = await metric('tollgate_usage_roll_failures_total');
      expect(await roller.rollOnce(FAR + 2 * 86_400_000)).toEqual({ rolls: 0, minuteRows: 0, failures: 2 });
      expect(await metric('tollgate_usage_roll_failures_total')).toBe(failuresBefore + 2);
      expect({ marks: await marks(), hour: await tableRequests('usage_hour'), day: await tableRequests('usage_day') }).toEqual(before);
      await expectExact();
    } finally {
      await cp.schema.query(`DROP TRIGGER usage_roll_fault ON usage_day`);
    }
    expect(await roller.rollOnce(FAR + 2 * 86_400_000)).toEqual({ rolls: 2, minuteRows: 9, failures: 0 });
    await expectExact();
  });

  it('retention drops only rolled minutes: unrolled ones stay, and hour and day stay exact', async () => {
    await apply(makeBatch('n1', ['2026-03-06T09:00:00']));
    await apply(makeBatch('n3', ['2026-03-06T09:00:00', '2026-03-06T09:01:00']));
    const unrolled = await cp.schema.query<{ node_id: string; n: string }>(
      `SELECT m.node_id, count(*) AS n FROM usage_minute m JOIN usage_rollup_marks k USING (node_id) WHERE m.bucket >= k.rolled_to GROUP BY 1 ORDER BY 1`,
    );
    expect(unrolled.map((u) => [u.node_id, Number(u.n)])).toEqual([
      ['n1', 3],
      ['n3', 6],
    ]);
    const retention = cp.app.get(UsageRetention);
    const swept = await retention.sweep({ minuteRowsMs: 3_600_000, batchIdsMs: 365 * 86_400_000 }, FAR + 7 * 86_400_000);
    const [left] = await cp.schema.query<{ n: string }>(`SELECT count(*) AS n FROM usage_minute`);
    expect(Number(left!.n)).toBe(9);
    expect(swept.minuteRows).toBeGreaterThan(0);
    await expectExact(false);
    await roller.rollOnce(FAR + 7 * 86_400_000);
    await retention.sweep({ minuteRowsMs: 3_600_000, batchIdsMs: 365 * 86_400_000 }, FAR + 7 * 86_400_000);
    expect(await cp.schema.query(`SELECT count(*)::int AS n FROM usage_minute`)).toEqual([{ n: 0 }]);
    await expectExact(false);
  });
});

describe('usage rollups: migrating a database that already has hour and day rollups', () => {
  it('marks each node just past its latest minute: nothing already rolled is rolled again, and new minutes are', async () => {
    const schema = await createTestSchema('usage-rollup-migration');
    const before = new DataSource({ ...dataSourceOptions(schema.databaseUrl, schema.name), migrations: MIGRATIONS.slice(0, 3) });
    await before.initialize();
    const histogram = new LatencyHistogram();
    histogram.record(12);
    const stored = histogram.encode();
    // What the previous version wrote: every minute row also added into hour and day.
    for (const [table, bucket] of [
      ['usage_minute', '2026-04-01T10:00:00Z'],
      ['usage_minute', '2026-04-01T10:07:00Z'],
      ['usage_hour', '2026-04-01T10:00:00Z'],
      ['usage_day', '2026-04-01T00:00:00Z'],
    ] as const) {
      const requests = table === 'usage_minute' ? 5 : 10;
      await before.query(
        `INSERT INTO ${table} VALUES ($1, $2, $2, $2, 200, 'eu-west', 'old-node', $3, 0, 0, $4, $4)`,
        [bucket, '00000000-0000-0000-0000-000000000000', requests, stored],
      );
    }
    await before.destroy();
    const cp = await startTestControlPlane('usage-rollup-migration', { schema, usageWorkerConcurrency: 0, usageRollIntervalMs: 0 });
    try {
      expect(await schema.query(`SELECT node_id, rolled_to, unrolled_since FROM usage_rollup_marks`)).toEqual([
        { node_id: 'old-node', rolled_to: new Date('2026-04-01T10:08:00Z'), unrolled_since: null },
      ]);
      const hours = () => usageRows<Row>(cp, { from: '2026-04-01T00:00:00Z', to: '2026-04-02T00:00:00Z', granularity: 'hour' });
      expect((await hours()).map((h) => h.requests)).toEqual([10]);
      // 10:10 is new (minute only, rolled later); 10:05 is before the mark (late: all three at once).
      const rows: UsageRow[] = [10, 5].map((minute) => ({
        minute: at(`2026-04-01T10:${String(minute).padStart(2, '0')}:00`),
        service_id: null,
        route_id: null,
        consumer_id: null,
        status: 200,
        count: 1,
        bytes_in: 0,
        bytes_out: 0,
        gateway_latency: histogram.toBase64(),
        upstream_latency: histogram.toBase64(),
      }));
      const batch: UsageBatch = { format: 1, id: 'old-node:b:1', node_id: 'old-node', boot_id: 'b', seq: 1, region: 'eu-west', flushed_at: 0, rows };
      await cp.app.get(BatchApplier).apply(parseUsageBatch(JSON.parse(JSON.stringify(batch))));
      expect((await hours()).map((h) => h.requests)).toEqual([12]);
      await cp.app.get(UsageRoller).rollOnce(at('2026-04-02T00:00:00'));
      expect((await hours()).map((h) => h.requests)).toEqual([12]);
      expect(await schema.query(`SELECT sum(requests)::int AS n FROM usage_day`)).toEqual([{ n: 12 }]);
    } finally {
      await cp.stop();
      await schema.drop();
    }
  });
});

describe('usage rollups: while ingestion lags', () => {
  it('holds rolls back by the lag of the latest batches, so batches still queued for a closed minute are not made late', async () => {
    const cp = await startTestControlPlane('usage-rollup-lag', { usageWorkerConcurrency: 0, usageRollIntervalMs: 0 });
    try {
      const histogram = new LatencyHistogram();
      histogram.record(3);
      const minute = at('2026-05-01T10:00:00');
      for (let seq = 1; seq <= 3; seq++) {
        const row: UsageRow = { minute, service_id: null, route_id: null, consumer_id: null, status: 200, count: 1, bytes_in: 0, bytes_out: 0, gateway_latency: histogram.toBase64(), upstream_latency: new LatencyHistogram().toBase64() };
        // Applied three minutes after the data plane flushed it: the queue is that far behind.
        const batch: UsageBatch = { format: 1, id: `lagging:b:${seq}`, node_id: 'lagging', boot_id: 'b', seq, region: 'eu-west', flushed_at: Date.now() - 180_000, rows: [row] };
        await cp.app.get(BatchApplier).apply(parseUsageBatch(JSON.parse(JSON.stringify(batch))));
      }
      const roller = cp.app.get(UsageRoller);
      // 10:00 closed 80 s before: rolled at once without the lag, held back while batches take 3 minutes.
      expect(await roller.rollOnce(minute + 140_000)).toEqual({ rolls: 0, minuteRows: 0, failures: 0 });
      expect(await roller.rollOnce(minute + 140_000 + 180_000)).toEqual({ rolls: 1, minuteRows: 1, failures: 0 });
    } finally {
      await cp.stop();
    }
  });
});
