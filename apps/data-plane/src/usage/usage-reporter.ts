import { USAGE_BATCH_FORMAT, isUsageIdPart, usageBatchId, type UsageBatch, type UsageRow } from '@tollgate/usage';
import { randomBytes } from 'node:crypto';
import type { Logger } from '../logger';
import { RedisLink } from './redis-link';
import { UsageJournal, type JournalSize } from './usage-journal';

export interface UsageReporterOptions {
  /** This node's id (no colons): the first part of every batch id. */
  readonly nodeId: string;
  readonly region: string;
  readonly redisUrl: string;
  /** The deployment's Redis key prefix (`tollgate:`); tests give each suite its own. */
  readonly redisKeyPrefix: string;
  /** Directory of this process's journal; one reporter per directory. */
  readonly journalDir: string;
  readonly maxJournalBytes: number;
  readonly logger: Logger;
  /** Retry delays while Redis is unreachable: doubling from `min` up to `max`. */
  readonly retryMs?: { readonly min: number; readonly max: number };
  readonly connectTimeoutMs?: number;
  readonly commandTimeoutMs?: number;
  readonly clock?: () => number;
}

export interface UsageBacklog extends JournalSize {
  /** Batches refused because the journal was full (usage lost; logged as errors). */
  readonly dropped: number;
  readonly sent: number;
  readonly redisReachable: boolean;
}

/** A boot id that sorts by start time, so a node's batches read in order in Redis and Postgres. */
function newBootId(clock: () => number): string {
  return `${clock().toString(36)}${randomBytes(4).toString('hex')}`;
}

/**
 * Sends usage batches to the control plane as BullMQ jobs, one per batch, with job id
 * `node_id:boot_id:seq`. Every batch is journaled (fsynced) before it is sent and removed only
 * once Redis has it, so a send that fails, times out or is cut by a crash is simply sent again,
 * in order; the job id and the control plane's batch table make the resend harmless.
 */
export class UsageReporter {
  readonly bootId: string;
  private seq = 0;
  private link: RedisLink | null = null;
  private pumping: Promise<void> | null = null;
  private wanted = false;
  private retryTimer: NodeJS.Timeout | null = null;
  private retryDelay: number;
  private closing = false;
  private failing = false;
  private dropped = 0;
  private sent = 0;
  private readonly clock: () => number;

  private constructor(
    private readonly options: UsageReporterOptions,
    private readonly journal: UsageJournal,
  ) {
    this.clock = options.clock ?? Date.now;
    this.bootId = newBootId(this.clock);
    this.retryDelay = this.retryMs.min;
  }

  /** Opens the journal and starts sending whatever an earlier process left in it. */
  static async open(options: UsageReporterOptions): Promise<UsageReporter> {
    if (!isUsageIdPart(options.nodeId)) throw new Error(`usage reporter: node id '${options.nodeId}' may only hold letters, digits, '.', '_' and '-'`);
    const reporter = new UsageReporter(options, await UsageJournal.open(options.journalDir, options.maxJournalBytes));
    const left = reporter.journal.size();
    if (left.batches > 0) options.logger.info({ batches: left.batches, bytes: left.bytes }, 'usage journal holds unsent batches; sending them first');
    reporter.pump();
    return reporter;
  }

  private get retryMs() {
    return this.options.retryMs ?? { min: 500, max: 30_000 };
  }

  backlog(): UsageBacklog {
    return { ...this.journal.size(), dropped: this.dropped, sent: this.sent, redisReachable: this.link?.usable ?? false };
  }

  /** Closes a batch of rows: journals it (durable from here on) and schedules its sending. */
  async submit(rows: readonly UsageRow[]): Promise<UsageBatch | null> {
    if (rows.length === 0) return null;
    const seq = ++this.seq;
    const batch: UsageBatch = {
      format: USAGE_BATCH_FORMAT,
      id: usageBatchId(this.options.nodeId, this.bootId, seq),
      node_id: this.options.nodeId,
      boot_id: this.bootId,
      seq,
      region: this.options.region,
      flushed_at: this.clock(),
      rows,
    };
    let journaled: boolean;
    try {
      journaled = await this.journal.append(batch);
    } catch (err) {
      this.dropped++;
      this.options.logger.error({ err, batch: batch.id, rows: rows.length }, 'usage journal write failed: batch dropped');
      return null;
    }
    if (!journaled) {
      this.dropped++;
      this.options.logger.error({ batch: batch.id, rows: rows.length, journal: this.journal.size() }, 'usage journal full: batch dropped');
      return null;
    }
    this.pump();
    return batch;
  }

  /**
   * Sends what the journal holds until it is empty or `timeoutMs` passes, then disconnects.
   * Batches still unsent stay in the journal for the next process.
   */
  async stop(timeoutMs: number): Promise<void> {
    this.cancelRetry();
    this.pump(true); // one more try now, whatever the backoff said
    const deadline = new Promise<void>((resolve) => setTimeout(resolve, timeoutMs).unref());
    await Promise.race([this.idle(), deadline]);
    this.closing = true;
    await this.pumping;
    this.cancelRetry();
    await this.link?.close();
    this.link = null;
  }

  /** Resolves once nothing is left to send, or sending has failed and awaits a retry. */
  private async idle(): Promise<void> {
    while (this.pumping !== null) await this.pumping;
  }

  /** Starts sending unless already sending, or waiting out a retry delay (`now` skips the wait). */
  private pump(now = false): void {
    this.wanted = true;
    if (now) this.cancelRetry();
    if (this.pumping !== null || this.closing || this.retryTimer !== null) return;
    this.pumping = this.sendAll()
      .catch((err: unknown) => this.sendFailed(err))
      .finally(() => {
        this.pumping = null;
      });
  }

  private async sendAll(): Promise<void> {
    while (this.wanted && !this.closing) {
      this.wanted = false;
      for (let entry = this.journal.oldest(); entry !== null && !this.closing; entry = this.journal.oldest()) {
        const batch = await this.journal.read(entry);
        if (batch === null) {
          this.options.logger.error({ file: entry.name }, 'unreadable usage journal entry set aside as .corrupt');
          continue;
        }
        if (!(await this.send(batch))) return;
        await this.journal.remove(entry);
        this.sent++;
      }
    }
  }

  private cancelRetry(): void {
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  /** One attempt at handing a batch to Redis; on failure schedules the next attempt. */
  private async send(batch: UsageBatch): Promise<boolean> {
    try {
      if (this.link === null || !this.link.usable) {
        await this.link?.close();
        this.link = null;
        this.link = await RedisLink.connect({
          redisUrl: this.options.redisUrl,
          redisKeyPrefix: this.options.redisKeyPrefix,
          connectTimeoutMs: this.options.connectTimeoutMs ?? 2000,
          commandTimeoutMs: this.options.commandTimeoutMs ?? 5000,
        });
      }
      await this.link.add(batch);
    } catch (err) {
      this.sendFailed(err);
      return false;
    }
    if (this.failing) this.options.logger.info({ journal: this.journal.size() }, 'usage reporting resumed: Redis reachable again');
    this.failing = false;
    this.retryDelay = this.retryMs.min;
    return true;
  }

  private sendFailed(err: unknown): void {
    const link = this.link;
    this.link = null;
    void link?.close();
    if (!this.failing) {
      this.options.logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'usage reporting paused: Redis unreachable; journaling batches to disk');
    }
    this.failing = true;
    if (this.closing || this.retryTimer !== null) return;
    const delay = this.retryDelay;
    this.retryDelay = Math.min(this.retryMs.max, this.retryDelay * 2);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.pump();
    }, delay);
    this.retryTimer.unref();
  }
}
