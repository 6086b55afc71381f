import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram } from 'prom-client';
import { MetricsRegistry } from '../metrics/metrics-registry';

/** What the queue holds right now, read at scrape time. */
export interface QueueState {
  readonly counts: Readonly<Record<string, number>>;
  /** Age of the oldest job still waiting, seconds; 0 when none waits. */
  readonly oldestWaitingSeconds: number;
}

const QUEUE_STATES = ['waiting', 'active', 'delayed', 'failed'] as const;

/** Usage ingestion's metrics on `/metrics`. */
@Injectable()
export class UsageMetrics {
  private queueState: (() => Promise<QueueState | null>) | null = null;
  readonly batchesApplied: Counter;
  readonly rowsApplied: Counter;
  readonly requestsApplied: Counter;
  readonly duplicatesDropped: Counter;
  readonly batchesRejected: Counter;
  readonly applyFailures: Counter;
  readonly ingestionLag: Histogram;
  readonly applyDuration: Histogram;
  readonly lateRows: Counter;
  readonly rolls: Counter;
  readonly rollFailures: Counter;
  readonly rollDuration: Histogram;

  constructor(metrics: MetricsRegistry) {
    const registers = [metrics.registry];
    this.batchesApplied = new Counter({ name: 'tollgate_usage_batches_applied_total', help: 'Usage batches added into the rollups', registers });
    this.rowsApplied = new Counter({ name: 'tollgate_usage_rows_applied_total', help: 'Usage batch rows added into the rollups', registers });
    this.requestsApplied = new Counter({ name: 'tollgate_usage_requests_applied_total', help: 'Proxied calls counted into the rollups', registers });
    this.duplicatesDropped = new Counter({ name: 'tollgate_usage_batches_duplicate_total', help: 'Usage batches delivered again and dropped (already applied)', registers });
    this.batchesRejected = new Counter({ name: 'tollgate_usage_batches_rejected_total', help: 'Malformed usage batches failed for good (kept in the failed set)', registers });
    this.applyFailures = new Counter({ name: 'tollgate_usage_apply_failures_total', help: 'Attempts to apply a usage batch that failed and will be retried', registers });
    this.ingestionLag = new Histogram({
      name: 'tollgate_usage_ingestion_lag_seconds',
      help: 'From a data plane closing a batch to its rollups committing',
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600],
      registers,
    });
    this.applyDuration = new Histogram({
      name: 'tollgate_usage_apply_duration_seconds',
      help: 'Time to apply one usage batch (one transaction)',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    this.lateRows = new Counter({
      name: 'tollgate_usage_late_rows_total',
      help: 'Usage batch rows for minutes their node had already rolled up: added into minute, hour and day at once',
      registers,
    });
    this.rolls = new Counter({ name: 'tollgate_usage_rolls_total', help: "Rolls of a node's closed minutes into the hour and day rollups", registers });
    this.rollFailures = new Counter({ name: 'tollgate_usage_roll_failures_total', help: 'Rolls that failed and were rolled back (retried at the next pass)', registers });
    this.rollDuration = new Histogram({
      name: 'tollgate_usage_roll_duration_seconds',
      help: "Time to roll one node's closed minutes into the hour and day rollups (one transaction)",
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
      registers,
    });
    const read = () => this.queueState?.() ?? Promise.resolve(null);
    new Gauge({
      name: 'tollgate_usage_queue_depth',
      help: 'Usage batches in the queue, by state',
      labelNames: ['state'],
      registers,
      async collect() {
        const state = await read();
        for (const s of QUEUE_STATES) if (state) this.set({ state: s }, state.counts[s] ?? 0);
      },
    });
    new Gauge({
      name: 'tollgate_usage_oldest_waiting_seconds',
      help: 'Age of the oldest usage batch waiting for a worker (lag that has not been applied yet)',
      registers,
      async collect() {
        const state = await read();
        if (state) this.set(state.oldestWaitingSeconds);
      },
    });
  }

  /** The worker tells the metrics how to read its queue; replicas without a worker report none. */
  readQueueWith(source: (() => Promise<QueueState | null>) | null): void {
    this.queueState = source;
  }
}
