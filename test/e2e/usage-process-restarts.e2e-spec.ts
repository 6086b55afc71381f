/**
 * The processes of the usage path die under traffic, and the totals stay exact:
 * - a data plane SIGTERMed (a node:cluster of two workers, then one serving in its own process)
 *   and started again while calls keep coming: the graceful stop flushes and sends its last
 *   counts, and calls refused while it is down were never served, so never counted;
 * - the control plane SIGKILLed while its worker is inside a batch's transaction (held there by a
 *   table lock the test takes): the transaction rolls back, the data planes keep proxying and
 *   queueing batches, and the restarted control plane takes the stalled job over and applies it
 *   once, with everything queued meanwhile.
 */
import { UsagePlatform, type DataPlaneUnderTest } from './support/usage-platform';

jest.setTimeout(120_000);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('usage: processes killed and restarted mid-run', () => {
  let platform: UsagePlatform;
  let eu: DataPlaneUnderTest;
  let us: DataPlaneUnderTest;

  beforeAll(async () => {
    ({ platform, eu, us } = await UsagePlatform.twoRegions('usage-restarts'));
  });

  afterAll(async () => {
    await platform.schema.query('ROLLBACK').catch(() => undefined);
    await platform?.dispose();
  });

  it('counts exactly across data planes SIGTERMed and restarted under traffic', async () => {
    const restarts = (async () => {
      for (const dp of [us, eu]) {
        await sleep(1500);
        await dp.stop('SIGTERM');
        await sleep(500);
        await dp.start();
      }
      await sleep(1500);
    })();
    await platform.sendDuring([eu, us], restarts);
    await restarts;
    expect(platform.tally.total.requests).toBeGreaterThan(100);
    await platform.expectExactTotals(45_000);

    // Each restart was a new boot of the same node: its batches carry the same node id, new boot ids
    // (one per serving process: each cluster worker reports with a boot id of its own).
    const batches = await platform.schema.query<{ node_id: string; id: string }>('SELECT node_id, id FROM usage_batches');
    const boots = (dp: DataPlaneUnderTest) => new Set(batches.filter((b) => b.node_id === dp.nodeId).map((b) => b.id.split(':')[1])).size;
    expect(new Set(batches.map((b) => b.node_id))).toEqual(new Set([eu.nodeId, us.nodeId]));
    expect(boots(eu)).toBeGreaterThanOrEqual(2);
    expect(boots(us)).toBeGreaterThanOrEqual(3);
  });

  it('counts exactly across a control plane SIGKILLed in the middle of applying a batch', async () => {
    const appliedBefore = Number((await platform.schema.query<{ n: string }>('SELECT count(*) AS n FROM usage_batches'))[0]!.n);
    // Hold the minute rollups: the worker records a batch id, then waits on this lock mid-transaction.
    await platform.schema.query('BEGIN');
    await platform.schema.query('LOCK TABLE usage_minute IN EXCLUSIVE MODE');
    expect(await platform.send([eu, us], 80)).toBe(80);
    const waiting = await waitForBlockedWorker(platform);

    await platform.stopControlPlane('SIGKILL');
    await platform.schema.query('ROLLBACK');
    // The killed worker's transactions end (rolled back) once their connections notice it is gone.
    await waitForGone(platform, waiting);
    const appliedAfterKill = Number((await platform.schema.query<{ n: string }>('SELECT count(*) AS n FROM usage_batches'))[0]!.n);
    expect(appliedAfterKill).toBe(appliedBefore);

    // Without a control plane the data planes keep proxying; their batches queue in Redis.
    expect(await platform.send([eu, us], 80)).toBe(80);
    await sleep(1500);
    await platform.startControlPlane();
    await platform.expectExactTotals(45_000);
  });
});

/** Backend pids of the control plane's worker waiting on the test's table lock. */
async function waitForBlockedWorker(platform: UsagePlatform): Promise<number[]> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const rows = await platform.schema.query<{ pid: number }>(
      `SELECT l.pid FROM pg_locks l WHERE NOT l.granted AND l.relation = 'usage_minute'::regclass`,
    );
    if (rows.length > 0) return rows.map((r) => r.pid);
    if (Date.now() > deadline) throw new Error(`no usage batch blocked on the rollup lock\n${platform.diagnostics()}`);
    await sleep(50);
  }
}

async function waitForGone(platform: UsagePlatform, pids: number[]): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const rows = await platform.schema.query('SELECT pid FROM pg_stat_activity WHERE pid = ANY($1)', [pids]);
    if (rows.length === 0) return;
    await sleep(50);
  }
  throw new Error(`backends ${pids.join(',')} of the killed control plane still there`);
}
