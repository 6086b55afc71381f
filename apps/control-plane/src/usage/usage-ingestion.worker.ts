import { Injectable, Logger } from '@nestjs/common';
import { bullmqConnection, isClusterAddress, parseUsageBatch, USAGE_JOB, USAGE_QUEUE, usageQueuePrefix, usageRetryDelay, UsageBatchError, type DecodedUsageBatch } from '@tollgate/usage';
import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import { BatchApplier } from './batch-applier';
import { UsageMetrics, type QueueState } from './usage-metrics';

export interface UsageWorkerOptions {
  readonly redisUrl: string;
  readonly redisKeyPrefix: string;
  /** Batches applied at once (different nodes run in parallel; one node's batches take turns). */
  readonly concurrency: number;
  /** How long a job stays locked to a worker that stopped answering before another takes it over. */
  readonly lockDurationMs?: number;
  readonly stalledIntervalMs?: number;
}

const ERROR_LOG_INTERVAL_MS = 30_000;
const SCRAPE_TIMEOUT_MS = 1000;

/** A scrape never waits long on Redis, and never fails because of it: the queue gauges are left out. */
function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | null> {
  return Promise.race([promise.catch(() => null), new Promise<null>((resolve) => setTimeout(() => resolve(null), ms).unref())]);
}

/**
 * The BullMQ worker that turns usage jobs into rollups. A job that fails (database down, the
 * process killed mid-transaction) is retried or, once its lock expires, taken over by another
 * worker; the batch table makes every retry safe. Malformed batches fail for good and stay in the
 * failed set for an operator.
 */
@Injectable()
export class UsageIngestionWorker {
  private readonly logger = new Logger('UsageIngestion');
  private worker: Worker | null = null;
  private queue: Queue | null = null;
  private connections: { close(): Promise<void> }[] = [];
  private lastErrorLog = 0;

  constructor(
    private readonly applier: BatchApplier,
    private readonly metrics: UsageMetrics,
  ) {}

  start(options: UsageWorkerOptions): void {
    if (this.worker !== null) throw new Error('usage worker already started');
    // ioredis keeps a 2 s timer after closing a connection that never came up; shorter, so a stop is a stop.
    const workerConnection = bullmqConnection(options.redisUrl, { disconnectTimeout: 200 });
    const queueConnection = bullmqConnection(options.redisUrl, { disconnectTimeout: 200, enableOfflineQueue: false });
    this.connections = [workerConnection, queueConnection];
    const prefix = usageQueuePrefix(options.redisKeyPrefix, isClusterAddress(options.redisUrl));
    this.worker = new Worker(USAGE_QUEUE, (job) => this.process(job), {
      connection: workerConnection.connection,
      prefix,
      concurrency: options.concurrency,
      lockDuration: options.lockDurationMs ?? 30_000,
      stalledInterval: options.stalledIntervalMs ?? 30_000,
      // A worker killed mid-batch leaves its job stalled; it must be retried, not failed.
      maxStalledCount: 1000,
      settings: { backoffStrategy: (attemptsMade: number) => usageRetryDelay(attemptsMade) },
    });
    this.worker.on('error', (err) => this.logThrottled(`usage worker: ${err.message}`));
    this.worker.on('failed', (job, err) => {
      if (!(err instanceof UnrecoverableError)) this.logThrottled(`usage batch ${job?.id} failed (will retry): ${err.message}`);
    });
    this.queue = new Queue(USAGE_QUEUE, { connection: queueConnection.connection, prefix });
    this.queue.on('error', () => undefined);
    const queue = this.queue;
    this.metrics.readQueueWith(() => withTimeout(this.readQueue(queue), SCRAPE_TIMEOUT_MS));
  }

  /**
   * Waits for batches being applied to finish, then disconnects. `force` leaves them unfinished:
   * their jobs are taken over (and their batches applied from scratch) once their locks expire.
   */
  async stop(force = false): Promise<void> {
    this.metrics.readQueueWith(null);
    // With Redis unreachable a graceful close waits for it forever; nothing can be mid-job then.
    const reachable = this.worker !== null && (await withTimeout(this.worker.waitUntilReady().then(() => true), SCRAPE_TIMEOUT_MS)) === true;
    await this.worker?.close(force || !reachable);
    await this.queue?.close();
    for (const connection of this.connections.splice(0)) await connection.close();
    this.worker = null;
    this.queue = null;
  }

  private async process(job: Job): Promise<string> {
    if (job.name !== USAGE_JOB) throw new UnrecoverableError(`no handler for job '${job.name}' on ${USAGE_QUEUE}`);
    let batch: DecodedUsageBatch;
    try {
      batch = parseUsageBatch(job.data);
    } catch (err) {
      if (!(err instanceof UsageBatchError)) throw err;
      this.metrics.batchesRejected.inc();
      this.logger.error(`usage job ${job.id} rejected: ${err.message}`);
      throw new UnrecoverableError(err.message);
    }
    const timer = this.metrics.applyDuration.startTimer();
    let outcome: string;
    try {
      outcome = await this.applier.apply(batch);
    } catch (err) {
      this.metrics.applyFailures.inc();
      throw err;
    } finally {
      timer();
    }
    if (outcome === 'duplicate') {
      this.metrics.duplicatesDropped.inc();
      return outcome;
    }
    this.metrics.batchesApplied.inc();
    this.metrics.rowsApplied.inc(batch.rows.length);
    this.metrics.requestsApplied.inc(batch.rows.reduce((sum, r) => sum + r.count, 0));
    this.metrics.ingestionLag.observe(Math.max(0, Date.now() - batch.flushed_at) / 1000);
    return outcome;
  }

  private async readQueue(queue: Queue): Promise<QueueState> {
    const [counts, oldest] = await Promise.all([queue.getJobCounts('waiting', 'active', 'delayed', 'failed'), queue.getJobs(['wait'], 0, 0, true)]);
    const first = oldest[0];
    return { counts, oldestWaitingSeconds: first ? Math.max(0, Date.now() - first.timestamp) / 1000 : 0 };
  }

  /** Redis outages make BullMQ report an error per reconnect attempt: one line per interval is enough. */
  private logThrottled(message: string): void {
    const now = Date.now();
    if (now - this.lastErrorLog < ERROR_LOG_INTERVAL_MS) return;
    this.lastErrorLog = now;
    this.logger.warn(message);
  }
}
