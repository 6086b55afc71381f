import { Injectable, Logger } from '@nestjs/common';
import { LatencyHistogram, MINUTE_MS, type DecodedUsageRow } from '@tollgate/usage';
import { DataSource, type EntityManager } from 'typeorm';
import { lockNodeUsage, RollupMarks } from './rollup-marks';
import { ROLLED_GRANULARITIES, rollupRows } from './rollup-rows';
import { RollupWriter } from './rollup-writer';
import { UsageMetrics } from './usage-metrics';

/**
 * A minute is rolled once it ended this long ago, plus the ingestion lag (see `ingestionLagMs`).
 * A data plane sends a minute's last calls up to one flush interval (5 s by default) after it
 * ends: rows arriving after their minute was rolled still count exactly (BatchApplier adds them
 * into all three rollups), they only cost the two extra upserts this roller saves.
 */
export const ROLL_GRACE_MS = 15_000;
/** Batches whose lag estimates ingestion's. */
const LAG_SAMPLE = 64;
/** So a journal replayed days late does not hold every roll back for days. */
const MAX_LAG_HOLD_MS = 10 * MINUTE_MS;
/** One transaction rolls at most this much of a node's minutes, so a backlog goes in bounded pieces. */
const SLICE_MS = 10 * MINUTE_MS;
const ERROR_LOG_INTERVAL_MS = 30_000;

export interface RollSummary {
  /** Transactions that moved a node's mark (one node may take several when it is far behind). */
  readonly rolls: number;
  /** Minute rows folded into the hour and day rollups. */
  readonly minuteRows: number;
  /** Nodes whose roll failed (rolled back whole, retried at the next pass). */
  readonly failures: number;
}

interface StoredMinute {
  bucket: Date;
  service_id: string;
  route_id: string;
  consumer_id: string;
  status: number;
  region: string;
  requests: string;
  bytes_in: string;
  bytes_out: string;
  gateway_latency: Buffer;
  upstream_latency: Buffer;
}

/**
 * Rolls closed minutes into the hour and day rollups, per node, every few seconds: each roll adds
 * the node's minute rows from its mark up to the last closed minute into usage_hour and usage_day
 * and moves the mark past them, in one transaction under the node's usage lock (the one every
 * batch of the node takes), so a minute is rolled once even with every replica rolling.
 */
@Injectable()
export class UsageRoller {
  private readonly logger = new Logger('UsageRoller');
  private timer: NodeJS.Timeout | null = null;
  private pass: Promise<unknown> | null = null;
  private stopping = false;
  private lastErrorLog = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly marks: RollupMarks,
    private readonly rollups: RollupWriter,
    private readonly metrics: UsageMetrics,
  ) {}

  start(intervalMs: number): void {
    if (this.timer !== null) throw new Error('usage roller already started');
    this.stopping = false;
    const tick = () => {
      this.pass = this.rollOnce()
        .catch((err: unknown) => this.logThrottled(`usage roll pass failed: ${String(err)}`))
        .finally(() => {
          this.pass = null;
          if (!this.stopping) this.timer = setTimeout(tick, intervalMs).unref();
        });
    };
    this.timer = setTimeout(tick, intervalMs).unref();
  }

  /** Stops the timer and waits for a pass under way (it ends after its current node). */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    await this.pass;
  }

  /**
   * Rolls every node's minutes that closed by `now` (less the grace); failed nodes are logged and
   * skipped. Between two rolls it waits as long as the last one took, so rolling takes at most
   * about half the time of the process it shares with the ingestion worker: every node's minute
   * rolled back to back held batches back for seconds in the usage bench (test/bench/RESULTS.md).
   */
  async rollOnce(now = Date.now()): Promise<RollSummary> {
    const closedTo = minuteStart(now - ROLL_GRACE_MS - (await this.ingestionLagMs()));
    let rolls = 0;
    let minuteRows = 0;
    let failures = 0;
    let pauseMs = 0;
    for (const nodeId of await this.marks.nodesBehind(closedTo)) {
      try {
        for (;;) {
          await new Promise((resolve) => setTimeout(resolve, pauseMs));
          if (this.stopping) return { rolls, minuteRows, failures };
          const started = performance.now();
          const rolled = await this.rollNode(nodeId, closedTo);
          pauseMs = performance.now() - started;
          if (rolled === null) break;
          rolls++;
          minuteRows += rolled.minuteRows;
          if (rolled.rolledTo >= closedTo) break;
        }
      } catch (err) {
        failures++;
        this.metrics.rollFailures.inc();
        this.logThrottled(`usage roll of node ${nodeId} failed (retried at the next pass): ${String(err)}`);
      }
    }
    return { rolls, minuteRows, failures };
  }

  /** One transaction: the node's next slice of closed minutes into hour and day; null when another roller got there first. */
  private async rollNode(nodeId: string, closedTo: number): Promise<{ rolledTo: number; minuteRows: number } | null> {
    const timer = this.metrics.rollDuration.startTimer();
    const rolled = await this.dataSource.transaction(async (db) => {
      await lockNodeUsage(db, nodeId);
      const mark = await this.marks.read(db, nodeId);
      if (mark === null || mark.unrolledSince === null || mark.unrolledSince >= closedTo) return null;
      const to = Math.min(closedTo, mark.unrolledSince + SLICE_MS);
      const minutes = await this.minuteRows(db, nodeId, mark.rolledTo, to);
      for (const [region, rows] of byRegion(minutes)) {
        for (const granularity of ROLLED_GRANULARITIES) await this.rollups.add(db, granularity, region, nodeId, rollupRows(rows, granularity));
      }
      return { rolledTo: await this.marks.rolled(db, nodeId, to, closedTo), minuteRows: minutes.length };
    });
    timer();
    if (rolled !== null) this.metrics.rolls.inc();
    return rolled;
  }

  /**
   * How far behind ingestion runs: the median lag (applied minus flushed) of the latest batches.
   * A backed-up queue still holds batches of minutes that closed a while ago; rolling those minutes
   * now would make each such batch late, three upserts instead of one, when capacity is already
   * short (test/bench/RESULTS.md has a backlog growing that way). A data-plane clock ahead of ours
   * counts as no lag.
   */
  private async ingestionLagMs(): Promise<number> {
    const [row]: { lag_ms: number | null }[] = await this.dataSource.query(
      `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM applied_at - flushed_at)::float8) * 1000 AS lag_ms
       FROM (SELECT applied_at, flushed_at FROM usage_batches ORDER BY applied_at DESC LIMIT ${LAG_SAMPLE}) recent`,
    );
    return Math.min(MAX_LAG_HOLD_MS, Math.max(0, row?.lag_ms ?? 0));
  }

  /** The node's minute rows in [from, to), decoded, each with its region. */
  private async minuteRows(db: EntityManager, nodeId: string, from: number, to: number): Promise<{ region: string; row: DecodedUsageRow }[]> {
    const stored: StoredMinute[] = await db.query(
      `SELECT bucket, service_id, route_id, consumer_id, status, region, requests, bytes_in, bytes_out, gateway_latency, upstream_latency
       FROM usage_minute WHERE node_id = $1 AND bucket >= $2::timestamptz AND bucket < $3::timestamptz`,
      [nodeId, new Date(from).toISOString(), new Date(to).toISOString()],
    );
    return stored.map((s) => ({
      region: s.region,
      row: {
        minute: s.bucket.getTime(),
        service_id: s.service_id,
        route_id: s.route_id,
        consumer_id: s.consumer_id,
        status: s.status,
        count: Number(s.requests),
        bytes_in: Number(s.bytes_in),
        bytes_out: Number(s.bytes_out),
        gateway_latency: LatencyHistogram.decode(s.gateway_latency),
        upstream_latency: LatencyHistogram.decode(s.upstream_latency),
      },
    }));
  }

  /** Database outages fail every node of every pass: one line per interval is enough. */
  private logThrottled(message: string): void {
    const now = Date.now();
    if (now - this.lastErrorLog < ERROR_LOG_INTERVAL_MS) return;
    this.lastErrorLog = now;
    this.logger.warn(message);
  }
}

function minuteStart(ms: number): number {
  return ms - (((ms % MINUTE_MS) + MINUTE_MS) % MINUTE_MS);
}

/** A node reports under one region, but its rollup keys hold the region of each batch: keep them apart. */
function byRegion(minutes: readonly { region: string; row: DecodedUsageRow }[]): Map<string, DecodedUsageRow[]> {
  const out = new Map<string, DecodedUsageRow[]>();
  for (const { region, row } of minutes) {
    const rows = out.get(region);
    if (rows === undefined) out.set(region, [row]);
    else rows.push(row);
  }
  return out;
}
