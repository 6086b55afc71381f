import { LatencyHistogram, statusClass, USAGE_JOB } from '@tollgate/usage';
import { UsageIngestionWorker } from '../src/usage/usage-ingestion.worker';
import { UsageRoller } from '../src/usage/usage-roller';
import { admin, startTestControlPlane, type TestControlPlane } from './admin-api';
import {
  appliedBatches,
  closedPortUrl,
  JournalDirs,
  seededRandom,
  startRecorder,
  tally,
  TestClock,
  usageQueue,
  usageRows,
  waitFor,
  waitForBatches,
  type UsageRecorder,
  type UsageTotals,
} from './usage-support';

interface Call {
  node: string;
  region: string;
  service: string | null;
  route: string | null;
  consumer: string | null;
  status: number;
  bytesIn: number;
  bytesOut: number;
  minute: number;
}

type Row = UsageTotals & Record<string, unknown> & { bucket: string };

const LOCK = { lockDurationMs: 1000, stalledIntervalMs: 300 };

function truth(calls: readonly Call[], key: (c: Call) => string): Record<string, UsageTotals> {
  return tally(
    calls.map((c) => ({ ...c, requests: 1, errors: c.status >= 500 ? 1 : 0, bytes_in: c.bytesIn, bytes_out: c.bytesOut })),
    key as (r: unknown) => string,
  );
}

const idOf = (ref: unknown) => (ref === null ? 'none' : (ref as { id: string }).id);

describe('usage ingestion: data-plane recorders → BullMQ → worker → rollups → analytics', () => {
  let cp: TestControlPlane;
  const dirs = new JournalDirs();
  const recorders: UsageRecorder[] = [];
  const ids: Record<string, string> = {};

  async function recorder(nodeId: string, region: string, clock: TestClock, extra: { journalDir?: string; redisUrl?: string } = {}) {
    const r = await startRecorder(cp, { nodeId, region, clock, journalDir: extra.journalDir ?? dirs.make(), redisUrl: extra.redisUrl });
    recorders.push(r);
    return r;
  }

  async function total(window: string): Promise<number> {
    const rows = await usageRows<Row>(cp, { from: `${window}T00:00:00Z`, to: `${window}T23:59:59Z`, granularity: 'day' });
    return rows.reduce((sum, r) => sum + r.requests, 0);
  }

  beforeAll(async () => {
    cp = await startTestControlPlane('usage-ingestion', { usageWorkerConcurrency: 4, usageWorker: LOCK });
    for (const name of ['checkout', 'search']) ids[name] = (await admin(cp).post('/services').send({ name, host: `${name}.internal` }).expect(201)).body.id;
    for (const [name, service] of [
      ['checkout-create', 'checkout'],
      ['checkout-status', 'checkout'],
      ['search-query', 'search'],
    ] as const) {
      ids[name] = (await admin(cp).post(`/services/${service}/routes`).send({ name, paths: [`/${name}`] }).expect(201)).body.id;
    }
    for (const username of ['alice', 'bob']) ids[username] = (await admin(cp).post('/consumers').send({ username }).expect(201)).body.id;
  });

  afterEach(async () => {
    await Promise.all(recorders.splice(0).map((r) => r.stop()));
    dirs.cleanup();
  });

  afterAll(async () => {
    await cp.stop();
  });

  describe('N calls through two data planes in two regions', () => {
    const calls: Call[] = [];
    const N = 2000;

    beforeAll(async () => {
      const clock = new TestClock(Date.parse('2026-01-05T10:58:30Z'));
      const planes = [
        { node: 'dp-eu-1', region: 'eu-west', recorder: await recorder('dp-eu-1', 'eu-west', clock) },
        { node: 'dp-us-1', region: 'us-east', recorder: await recorder('dp-us-1', 'us-east', clock) },
      ];
      const routes: [string | null, string | null][] = [
        [ids.checkout!, ids['checkout-create']!],
        [ids.checkout!, ids['checkout-status']!],
        [ids.search!, ids['search-query']!],
        [null, null],
      ];
      const consumers = [ids.alice!, ids.bob!, null];
      const statuses = [200, 200, 200, 201, 404, 429, 500, 503];
      const random = seededRandom(5);
      const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
      let batches = 0;
      for (let i = 0; i < N; i++) {
        clock.now += 150; // 2,000 calls over five minutes, across the 11:00 hour boundary
        const plane = pick(planes);
        const [service, route] = pick(routes);
        const status = route === null ? 404 : pick(statuses);
        const call: Call = {
          node: plane.node,
          region: plane.region,
          service,
          route,
          consumer: route === null ? null : pick(consumers),
          status,
          bytesIn: Math.floor(random() * 1000),
          bytesOut: Math.floor(random() * 5000),
          minute: clock.now - (clock.now % 60_000),
        };
        calls.push(call);
        const totalMs = 1 + random() * 100;
        plane.recorder.record(service, route, call.consumer, status, call.bytesIn, call.bytesOut, totalMs, route === null ? -1 : totalMs * 0.8);
        if (i % 150 === 149) for (const p of planes) if (await p.recorder.flush()) batches++;
      }
      for (const p of planes) if (await p.recorder.flush()) batches++;
      await waitForBatches(cp, batches);
    });

    const range = { from: '2026-01-05T10:00:00Z', to: '2026-01-05T12:00:00Z' };

    it('reports exactly N in every granularity, bucket by bucket', async () => {
      const minutes = await usageRows<Row>(cp, { ...range, granularity: 'minute' });
      const hours = await usageRows<Row>(cp, { ...range, granularity: 'hour' });
      const days = await usageRows<Row>(cp, { from: '2026-01-05T00:00:00Z', to: '2026-01-06T00:00:00Z', granularity: 'day' });
      const byMinute = truth(calls, (c) => new Date(c.minute).toISOString());
      expect(tally(minutes, (r) => r.bucket)).toEqual(byMinute);
      expect(Object.keys(byMinute)).toHaveLength(6);
      expect(tally(hours, (r) => r.bucket)).toEqual(truth(calls, (c) => new Date(c.minute - (c.minute % 3_600_000)).toISOString()));
      expect(days).toHaveLength(1);
      expect(days[0]).toMatchObject({ bucket: '2026-01-05T00:00:00.000Z', requests: N, errors: calls.filter((c) => c.status >= 500).length });
    });

    it('keeps every latency: the histograms of each rollup hold exactly N gateway values (no lost merge under concurrent batches)', async () => {
      await cp.app.get(UsageRoller).rollOnce(); // hour and day tables hold every closed minute only once rolled
      for (const table of ['usage_minute', 'usage_hour', 'usage_day']) {
        const rows = await cp.schema.query<{ gateway_latency: Buffer; upstream_latency: Buffer }>(
          `SELECT gateway_latency, upstream_latency FROM ${table} WHERE bucket >= '2026-01-05' AND bucket < '2026-01-06'`,
        );
        const sum = (column: 'gateway_latency' | 'upstream_latency') => rows.reduce((n, r) => n + LatencyHistogram.decode(r[column]).count, 0);
        expect([table, sum('gateway_latency'), sum('upstream_latency')]).toEqual([table, N, calls.filter((c) => c.route !== null).length]);
      }
    });

    it.each([
      ['region', (c: Call) => c.region, (r: Row) => String(r.region)],
      ['node', (c: Call) => c.node, (r: Row) => String(r.node)],
      ['service', (c: Call) => c.service ?? 'none', (r: Row) => idOf(r.service)],
      ['route', (c: Call) => c.route ?? 'none', (r: Row) => idOf(r.route)],
      ['consumer', (c: Call) => c.consumer ?? 'none', (r: Row) => idOf(r.consumer)],
      ['status_class', (c: Call) => statusClass(c.status), (r: Row) => String(r.status_class)],
    ])('splits exactly by %s', async (dimension, callKey, rowKey) => {
      const rows = await usageRows<Row>(cp, { ...range, granularity: 'hour', group_by: dimension, size: 1000 });
      expect(tally(rows, rowKey)).toEqual(truth(calls, callKey));
    });

    it('splits exactly by all six dimensions at once, per minute', async () => {
      const rows = await usageRows<Row>(cp, { ...range, granularity: 'minute', group_by: 'service,route,consumer,region,node,status_class', size: 1000 });
      const key = (parts: unknown[]) => parts.join('|');
      expect(tally(rows, (r) => key([r.bucket, idOf(r.service), idOf(r.route), idOf(r.consumer), r.region, r.node, r.status_class]))).toEqual(
        truth(calls, (c) => key([new Date(c.minute).toISOString(), c.service ?? 'none', c.route ?? 'none', c.consumer ?? 'none', c.region, c.node, statusClass(c.status)])),
      );
    });

    it('filters by names and ids, and they agree', async () => {
      const expected = truth(calls.filter((c) => c.service === ids.checkout && c.consumer === ids.alice && c.region === 'us-east'), () => 'all');
      for (const filter of [
        { service: 'checkout', consumer: 'alice' },
        { service: ids.checkout!, consumer: ids.alice!.toUpperCase() },
      ]) {
        const rows = await usageRows<Row>(cp, { ...range, granularity: 'day', ...filter, region: 'us-east' });
        expect(tally(rows, () => 'all')).toEqual(expected);
      }
      const errors = await usageRows<Row>(cp, { ...range, status_class: '5xx', group_by: 'node' });
      expect(tally(errors, (r) => String(r.node))).toEqual(truth(calls.filter((c) => c.status >= 500), (c) => c.node));
    });

    it('names services, routes and consumers, and reports unmatched calls under null', async () => {
      const rows = await usageRows<Row>(cp, { ...range, granularity: 'day', group_by: 'route,consumer', size: 1000 });
      const routeNames = new Set(rows.map((r) => (r.route === null ? null : (r.route as { name: string }).name)));
      expect(routeNames).toEqual(new Set(['checkout-create', 'checkout-status', 'search-query', null]));
      expect(rows.find((r) => r.route === null)).toMatchObject({ consumer: null, errors: 0, latency: { upstream: { p50: null } } });
      expect(rows.find((r) => (r.consumer as { name?: string } | null)?.name === 'alice')).toBeDefined();
    });
  });

  describe('exactly once under failure', () => {
    it('the same batch delivered twice (same job id after BullMQ forgot it, or another job id) counts once', async () => {
      const clock = new TestClock(Date.parse('2026-01-06T10:00:00Z'));
      const r = await recorder('dp-dup', 'eu-west', clock);
      for (let i = 0; i < 10; i++) r.record(ids.search!, ids['search-query']!, null, 200, 1, 1, 5, 4);
      const before = await appliedBatches(cp);
      const batch = (await r.flush())!;
      await waitForBatches(cp, before + 1);
      const queue = usageQueue(cp);
      try {
        await (await queue.getJob(batch.id))?.remove();
        await queue.add(USAGE_JOB, batch, { jobId: batch.id });
        await queue.add(USAGE_JOB, batch, { jobId: 'redelivered-by-hand' });
        await waitForDuplicates(2);
      } finally {
        await queue.close();
      }
      expect(await total('2026-01-06')).toBe(10);
      expect(await appliedBatches(cp)).toBe(before + 1);
    });

    it('a transaction that fails part-way (after the minute rollup) is retried and applied whole, once', async () => {
      await cp.schema.query(`CREATE SEQUENCE usage_fault_seq`);
      await cp.schema.query(`CREATE FUNCTION usage_fault() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN IF nextval('usage_fault_seq') <= 2 THEN RAISE EXCEPTION 'injected fault'; END IF; RETURN NULL; END $$`);
      // After the minute rows are written: the last rollup a batch of a fresh minute touches.
      await cp.schema.query(`CREATE TRIGGER usage_fault AFTER INSERT ON usage_minute FOR EACH STATEMENT EXECUTE FUNCTION usage_fault()`);
      try {
        const clock = new TestClock(Date.parse('2026-01-07T10:00:00Z'));
        const r = await recorder('dp-fault', 'eu-west', clock);
        for (let i = 0; i < 7; i++) r.record(ids.search!, ids['search-query']!, null, 200, 1, 1, 5, 4);
        const before = await appliedBatches(cp);
        await r.flush();
        await waitForBatches(cp, before + 1);
        const [faults] = await cp.schema.query<{ n: string }>(`SELECT last_value AS n FROM usage_fault_seq`);
        expect(Number(faults!.n)).toBe(3); // two failed attempts, one that went through
        expect(await total('2026-01-07')).toBe(7);
        const minutes = await usageRows<Row>(cp, { from: '2026-01-07T10:00:00Z', to: '2026-01-07T10:01:00Z', granularity: 'minute' });
        expect(minutes.map((m) => m.requests)).toEqual([7]);
      } finally {
        await cp.schema.query(`DROP TRIGGER usage_fault ON usage_minute`);
      }
    });

    it('a worker killed mid-batch (connection dropped inside the transaction) loses nothing and counts nothing twice', async () => {
      await cp.schema.query(`CREATE SEQUENCE usage_slow_seq`);
      await cp.schema.query(`CREATE FUNCTION usage_slow() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN IF nextval('usage_slow_seq') = 1 THEN PERFORM pg_sleep(30); END IF; RETURN NULL; END $$`);
      await cp.schema.query(`CREATE TRIGGER usage_slow AFTER INSERT ON usage_minute FOR EACH STATEMENT EXECUTE FUNCTION usage_slow()`);
      const worker = cp.app.get(UsageIngestionWorker);
      try {
        const clock = new TestClock(Date.parse('2026-01-08T10:00:00Z'));
        const r = await recorder('dp-killed', 'eu-west', clock);
        for (let i = 0; i < 9; i++) r.record(ids.search!, ids['search-query']!, null, 200, 1, 1, 5, 4);
        const before = await appliedBatches(cp);
        await r.flush();
        const stuck = await waitForSleepingApply();
        // The kill: the worker stops without finishing, and its database session dies with the transaction open.
        const closing = worker.stop(true);
        await cp.schema.query(`SELECT pg_terminate_backend($1)`, [stuck]);
        await closing;
        expect(await appliedBatches(cp)).toBe(before);
        worker.start({ redisUrl: cp.redisUrl, redisKeyPrefix: cp.redisKeyPrefix, concurrency: 4, ...LOCK });
        await waitForBatches(cp, before + 1);
        expect(await total('2026-01-08')).toBe(9);
      } finally {
        await cp.schema.query(`DROP TRIGGER usage_slow ON usage_minute`);
      }
    });

    it('batches sent while no worker runs wait in the queue and are applied once one starts', async () => {
      const worker = cp.app.get(UsageIngestionWorker);
      await worker.stop();
      try {
        const clock = new TestClock(Date.parse('2026-01-09T10:00:00Z'));
        const r = await recorder('dp-queued', 'us-east', clock);
        const before = await appliedBatches(cp);
        for (let b = 0; b < 3; b++) {
          for (let i = 0; i < 5; i++) r.record(ids.search!, ids['search-query']!, null, 200, 1, 1, 5, 4);
          await r.flush();
        }
        await new Promise((resolve) => setTimeout(resolve, 300));
        expect(await appliedBatches(cp)).toBe(before);
      } finally {
        worker.start({ redisUrl: cp.redisUrl, redisKeyPrefix: cp.redisKeyPrefix, concurrency: 4, ...LOCK });
      }
      await waitFor('queued batches applied', async () => (await total('2026-01-09')) === 15);
    });

    it('Redis unreachable, then reachable (a new process on the same journal): the journal drains and totals are exact', async () => {
      const clock = new TestClock(Date.parse('2026-01-10T10:00:00Z'));
      const journalDir = dirs.make();
      const down = await recorder('dp-journal', 'eu-west', clock, { journalDir, redisUrl: await closedPortUrl() });
      const before = await appliedBatches(cp);
      for (let b = 0; b < 4; b++) {
        for (let i = 0; i < 25; i++) down.record(ids.checkout!, ids['checkout-create']!, ids.bob!, 201, 10, 20, 5, 4);
        clock.now += 20_000;
        await down.flush();
      }
      for (let i = 0; i < 5; i++) down.record(ids.checkout!, ids['checkout-create']!, ids.bob!, 201, 10, 20, 5, 4);
      await down.stop(); // graceful: the last counts join the journal; Redis is still unreachable
      expect(down.backlog()).toMatchObject({ batches: 5, redisReachable: false });
      expect(await appliedBatches(cp)).toBe(before);
      const up = await recorder('dp-journal', 'eu-west', clock, { journalDir });
      up.record(ids.checkout!, ids['checkout-create']!, ids.bob!, 201, 10, 20, 5, 4);
      await up.flush();
      await waitForBatches(cp, before + 6);
      const rows = await usageRows<Row>(cp, { from: '2026-01-10T00:00:00Z', to: '2026-01-11T00:00:00Z', granularity: 'day' });
      expect(rows.map((r) => [r.requests, r.bytes_in, r.bytes_out])).toEqual([[106, 1060, 2120]]);
    });
  });

  it('/metrics reports batches applied, duplicates dropped, queue depth and ingestion lag', async () => {
    const res = await admin(cp).get('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    const value = (line: string) => Number(new RegExp(`^${line.replace(/[{}"]/g, '\\$&')} (\\S+)$`, 'm').exec(res.text)?.[1]);
    expect(value('tollgate_usage_batches_applied_total')).toBe(await appliedBatches(cp));
    expect(value('tollgate_usage_batches_duplicate_total')).toBe(2);
    expect(value('tollgate_usage_apply_failures_total')).toBeGreaterThanOrEqual(2);
    expect(value('tollgate_usage_queue_depth{state="waiting"}')).toBe(0);
    expect(value('tollgate_usage_ingestion_lag_seconds_count')).toBe(await appliedBatches(cp));
    expect(res.text).toMatch(/^tollgate_usage_oldest_waiting_seconds 0$/m);
  });

  async function waitForDuplicates(count: number): Promise<void> {
    await waitFor('duplicates dropped', async () => {
      const res = await admin(cp).get('/metrics');
      return /^tollgate_usage_batches_duplicate_total (\d+)$/m.exec(res.text)?.[1] === String(count);
    });
  }

  async function waitForSleepingApply(): Promise<number> {
    let pid = 0;
    await waitFor('the apply transaction to be sleeping', async () => {
      const rows = await cp.schema.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE wait_event = 'PgSleep' AND query LIKE '%usage_minute%'`);
      pid = rows[0]?.pid ?? 0;
      return pid !== 0;
    });
    return pid;
  }
});
