// Usage tests drive the data plane's recorder against this control plane in-process: only tests
// may close that loop between the planes.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { UsageRecorder } from '@tollgate/data-plane-usage';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { waitFor, type TestControlPlane } from '@tollgate/testing';
import { USAGE_QUEUE, usageQueuePrefix } from '@tollgate/usage';
import { Queue } from 'bullmq';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { admin, expectStatus } from './admin-api';

export { waitFor, type UsageRecorder };

export interface UsageTotals {
  requests: number;
  errors: number;
  bytes_in: number;
  bytes_out: number;
}

/** A settable clock, so calls land in chosen minutes (and across an hour boundary). */
export class TestClock {
  constructor(public now: number) {}
  readonly read = (): number => this.now;
}

/** Temporary journal directories, removed by `cleanup`. */
export class JournalDirs {
  private readonly dirs: string[] = [];

  make(): string {
    const dir = mkdtempSync(join(tmpdir(), 'tollgate-usage-'));
    this.dirs.push(dir);
    return dir;
  }

  cleanup(): void {
    for (const dir of this.dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  }
}

export interface RecorderOptions {
  readonly nodeId: string;
  readonly region: string;
  readonly journalDir: string;
  readonly clock: TestClock;
  readonly redisUrl?: string;
}

/** A data plane's usage recorder reporting to this control plane's queue; flushed by hand. */
export function startRecorder(cp: TestControlPlane, o: RecorderOptions): Promise<UsageRecorder> {
  return UsageRecorder.start({
    nodeId: o.nodeId,
    region: o.region,
    redisUrl: o.redisUrl ?? cp.redisUrl,
    redisKeyPrefix: cp.redisKeyPrefix,
    journalDir: o.journalDir,
    maxJournalBytes: 64 << 20,
    logger: pino({ level: 'silent' }),
    retryMs: { min: 50, max: 500 },
    connectTimeoutMs: 500,
    flushIntervalMs: 3_600_000,
    stopTimeoutMs: 2000,
    clock: o.clock.read,
  });
}

/** The usage queue of this control plane, for tests that deliver jobs by hand. */
export function usageQueue(cp: TestControlPlane): Queue {
  return new Queue(USAGE_QUEUE, { connection: { url: cp.redisUrl }, prefix: usageQueuePrefix(cp.redisKeyPrefix) });
}

export async function appliedBatches(cp: TestControlPlane): Promise<number> {
  const [row] = await cp.schema.query<{ n: string }>('SELECT count(*) AS n FROM usage_batches');
  return Number(row!.n);
}

export async function waitForBatches(cp: TestControlPlane, count: number, timeoutMs = 15_000): Promise<void> {
  await waitFor(`${count} usage batches applied`, async () => (await appliedBatches(cp)) >= count, timeoutMs);
  const applied = await appliedBatches(cp);
  if (applied !== count) throw new Error(`expected ${count} usage batches applied, found ${applied}`);
}

/** GET /analytics/usage, asserting 200; `params` become the query string. */
export async function usageRows<T = Record<string, unknown>>(cp: TestControlPlane, params: Record<string, string | number>): Promise<T[]> {
  const query = new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, String(v)]));
  const res = await admin(cp).get(`/analytics/usage?${query.toString()}`);
  expectStatus(res, 200);
  if (res.body.next !== null) throw new Error(`expected one page, got a next link: ${res.body.next}`);
  return res.body.data as T[];
}

/** Sums rows by a key, for comparing against what the test recorded. */
export function tally<R extends UsageTotals>(rows: readonly R[], key: (row: R) => string): Record<string, UsageTotals> {
  const out: Record<string, UsageTotals> = {};
  for (const row of rows) {
    const t = (out[key(row)] ??= { requests: 0, errors: 0, bytes_in: 0, bytes_out: 0 });
    t.requests += row.requests;
    t.errors += row.errors;
    t.bytes_in += row.bytes_in;
    t.bytes_out += row.bytes_out;
  }
  return out;
}

/** Seeded pseudo-random numbers (mulberry32): the same calls on every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A Redis URL nobody listens on: Redis down. */
export async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `redis://127.0.0.1:${port}`;
}
