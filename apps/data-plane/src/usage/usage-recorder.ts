import type { UsageBatch } from '@tollgate/usage';
import { CallBuffer } from './call-buffer';
import { UsageAggregator } from './usage-aggregator';
import { UsageReporter, type UsageBacklog, type UsageReporterOptions } from './usage-reporter';

export interface UsageRecorderOptions extends UsageReporterOptions {
  /** How often the in-memory counts become one batch; a SIGKILL loses at most this much usage. */
  readonly flushIntervalMs: number;
  /** How long `stop` keeps trying to hand journaled batches to Redis before leaving them on disk. */
  readonly stopTimeoutMs?: number;
}

/**
 * Metering for one serving process: the proxy calls `record` once per finished call (its log
 * phase); every flush interval the counts become one batch, journaled and sent to the control
 * plane. Nothing on the request path waits on disk or Redis.
 */
export class UsageRecorder {
  private readonly timer: NodeJS.Timeout;
  private flushing: Promise<unknown> = Promise.resolve();
  private stopped = false;
  private readonly calls: CallBuffer;

  private constructor(
    private readonly aggregator: UsageAggregator,
    private readonly reporter: UsageReporter,
    private readonly options: UsageRecorderOptions,
  ) {
    this.calls = new CallBuffer(aggregator, options.clock ?? Date.now);
    this.timer = setInterval(() => void this.flush(), options.flushIntervalMs);
    this.timer.unref();
  }

  static async start(options: UsageRecorderOptions): Promise<UsageRecorder> {
    const reporter = await UsageReporter.open(options);
    return new UsageRecorder(new UsageAggregator(options.clock), reporter, options);
  }

  /**
   * Counts one finished call. Ids are the config's own strings (null: no route matched, no
   * consumer identified); `upstreamMs` is negative when the call never reached an upstream.
   * Gateway latency is recorded as `totalMs - upstreamMs`. Cheap: the call is appended to a
   * buffer, counted with the next ~thousand (or at the next flush) in the minute it finished.
   */
  record(
    serviceId: string | null,
    routeId: string | null,
    consumerId: string | null,
    status: number,
    bytesIn: number,
    bytesOut: number,
    totalMs: number,
    upstreamMs: number,
  ): void {
    this.calls.push(serviceId, routeId, consumerId, status, bytesIn, bytesOut, totalMs, upstreamMs);
  }

  /** Closes the current batch now (also what the timer does). Flushes run one at a time, in order. */
  flush(): Promise<UsageBatch | null> {
    const next = this.flushing.then(() => {
      this.calls.absorb();
      return this.reporter.submit(this.aggregator.drain());
    });
    this.flushing = next.catch((err: unknown) => this.options.logger.error({ err }, 'usage flush failed'));
    return next;
  }

  backlog(): UsageBacklog & { readonly pendingRows: number } {
    this.calls.absorb();
    return { ...this.reporter.backlog(), pendingRows: this.aggregator.size };
  }

  /**
   * Graceful stop, after the proxy has drained: the last counts are journaled, then sent while
   * Redis answers within the timeout; anything unsent is on disk for the next start.
   */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.timer);
    await this.flush().catch(() => undefined);
    await this.reporter.stop(this.options.stopTimeoutMs ?? 5000);
  }
}
