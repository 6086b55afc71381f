import type { QueueConfig } from './queue-schema';

/** Where a queue's batches go (an HTTP endpoint, a TCP peer, a file); rejects to have a batch retried. */
export interface BatchSender {
  send(entries: readonly string[]): Promise<void>;
  /** Releases sockets and files; called once the queue has flushed or given up. */
  close(): void;
}

/** A queue's counters, as /metrics and /status report them. */
export interface LogQueueStats {
  /** The plugin and a digest of its config: one queue per distinct config per worker. */
  readonly name: string;
  readonly plugin: string;
  /** Entries waiting (not yet in a batch being sent), and their bytes. */
  readonly queued: number;
  readonly bytes: number;
  /** Entries delivered. */
  readonly sent: number;
  /** Entries dropped because the queue was full (oldest first), or still queued when a shutdown's flush bound ran out. */
  readonly dropped: number;
  /** Entries of batches given up after max_retry_time. */
  readonly failed: number;
}

/** With concurrency_limit -1 Kong sends each batch in its own timer; here at most this many at once. */
const UNLIMITED_IN_FLIGHT = 64;
/** Compact the backing array once this many slots at its head are spent. */
const COMPACT_AT = 1024;

/**
 * Kong's log queue (kong/tools/queue.lua) for one plugin config in one worker: entries are
 * strings added from the log phase without waiting; a batch goes out when it holds
 * `max_batch_size` entries or `max_coalescing_delay` after its first entry; a failed batch is
 * retried with doubling delays until `max_retry_time`; past `max_entries` / `max_bytes` the oldest
 * entries are dropped and counted. Memory is bounded by the queue limits plus the batches in flight.
 */
export class LogQueue {
  private readonly items: string[] = [];
  private head = 0;
  private queuedBytes = 0;
  private inFlight = 0;
  private coalesceTimer: NodeJS.Timeout | null = null;
  private kickScheduled = false;
  private closing = false;
  /** Past the shutdown's flush bound: retries stop, sleeping ones wake. */
  private expired = false;
  private readonly sleepers = new Set<() => void>();
  private idleWaiter: (() => void) | null = null;
  private counts = { sent: 0, dropped: 0, failed: 0 };
  private readonly maxInFlight: number;
  private adds = 0;

  constructor(
    readonly name: string,
    readonly plugin: string,
    private readonly config: QueueConfig,
    private readonly sender: BatchSender,
    private readonly onFailure: (error: unknown, entries: number, givenUp: boolean) => void,
  ) {
    this.maxInFlight = config.concurrency_limit === -1 ? UNLIMITED_IN_FLIGHT : 1;
  }

  get length(): number {
    return this.items.length - this.head;
  }

  /** Entries ever added: the sweeper compares it between sweeps to find queues nobody uses. */
  get added(): number {
    return this.adds;
  }

  /** Nothing waiting and nothing being sent. */
  get idle(): boolean {
    return this.length === 0 && this.inFlight === 0;
  }

  /** Still taking entries (a handler holding this queue looks it up again once it closed). */
  get open(): boolean {
    return !this.closing;
  }

  /** From the log phase: never throws, never waits; drops the oldest entries when full. */
  add(entry: string): void {
    this.adds++;
    if (this.closing) {
      this.counts.dropped++;
      return;
    }
    const maxBytes = this.config.max_bytes;
    if (maxBytes !== null && entry.length > maxBytes) {
      this.counts.dropped++;
      return;
    }
    while (this.length >= this.config.max_entries || (maxBytes !== null && this.length > 0 && this.queuedBytes + entry.length > maxBytes)) {
      this.dropOldest();
    }
    this.items.push(entry);
    this.queuedBytes += entry.length;
    this.schedule();
  }

  stats(): LogQueueStats {
    return { name: this.name, plugin: this.plugin, queued: this.length, bytes: this.queuedBytes, ...this.counts };
  }

  /**
   * Stops taking entries and flushes what is queued, batch by batch, for at most `boundMs`; what
   * is still queued then is counted as dropped. Resolves once everything is sent or given up.
   */
  async close(boundMs: number): Promise<void> {
    this.closing = true;
    if (this.coalesceTimer !== null) clearTimeout(this.coalesceTimer);
    this.coalesceTimer = null;
    const bound = setTimeout(() => this.expire(), boundMs);
    bound.unref();
    const idle = new Promise<void>((resolve) => (this.idleWaiter = resolve));
    this.pump();
    this.checkIdle();
    await idle;
    clearTimeout(bound);
    this.counts.dropped += this.length;
    this.items.length = 0;
    this.head = 0;
    this.queuedBytes = 0;
    this.sender.close();
  }

  private expire(): void {
    this.expired = true;
    for (const wake of this.sleepers) wake();
    this.sleepers.clear();
    // Sends still in flight are abandoned (their sockets closed by the sender): stop waiting.
    this.idleWaiter?.();
  }

  private dropOldest(): void {
    const oldest = this.items[this.head]!;
    this.items[this.head++] = '';
    this.queuedBytes -= oldest.length;
    this.counts.dropped++;
    this.compact();
  }

  private compact(): void {
    if (this.head >= COMPACT_AT && this.head * 2 >= this.items.length) {
      this.items.splice(0, this.head);
      this.head = 0;
    }
  }

  /** A full batch goes out on the next turn of the event loop, a partial one after the coalescing delay. */
  private schedule(): void {
    if (this.inFlight >= this.maxInFlight) return;
    if (this.length >= this.config.max_batch_size) {
      if (!this.kickScheduled) {
        this.kickScheduled = true;
        setImmediate(this.kick);
      }
      return;
    }
    if (this.coalesceTimer === null) {
      this.coalesceTimer = setTimeout(this.flushPartial, this.config.max_coalescing_delay * 1000);
      this.coalesceTimer.unref();
    }
  }

  private readonly kick = (): void => {
    this.kickScheduled = false;
    this.pump();
  };

  private readonly flushPartial = (): void => {
    this.coalesceTimer = null;
    this.pump(true);
  };

  /** Starts batches while there is room in flight; partial ones only when the delay ran out or closing. */
  private pump(partialToo = false): void {
    while (this.inFlight < this.maxInFlight && this.length > 0 && !this.expired) {
      const size = Math.min(this.length, this.config.max_batch_size);
      if (size < this.config.max_batch_size && !partialToo && !this.closing) break;
      const batch = this.items.slice(this.head, this.head + size);
      for (let i = 0; i < size; i++) this.items[this.head + i] = '';
      this.head += size;
      for (const entry of batch) this.queuedBytes -= entry.length;
      this.compact();
      if (this.length === 0) {
        this.items.length = 0;
        this.head = 0;
      }
      this.inFlight++;
      void this.deliver(batch).finally(this.batchDone);
    }
    if (!this.closing && this.length > 0) this.schedule();
  }

  private readonly batchDone = (): void => {
    this.inFlight--;
    this.pump();
    this.checkIdle();
  };

  private checkIdle(): void {
    if (this.closing && this.inFlight === 0 && (this.length === 0 || this.expired)) this.idleWaiter?.();
  }

  private async deliver(batch: readonly string[]): Promise<void> {
    const started = Date.now();
    const maxRetryMs = this.config.max_retry_time * 1000;
    let delay = this.config.initial_retry_delay * 1000;
    for (;;) {
      try {
        await this.sender.send(batch);
        this.counts.sent += batch.length;
        return;
      } catch (error) {
        const giveUp = this.expired || this.config.max_retry_time < 0 || Date.now() - started + delay > maxRetryMs;
        this.onFailure(error, batch.length, giveUp);
        if (giveUp) {
          this.counts.failed += batch.length;
          return;
        }
      }
      await this.sleep(delay);
      delay = Math.min(delay * 2, this.config.max_retry_delay * 1000);
    }
  }

  private sleep(ms: number): Promise<void> {
    if (this.expired) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      timer.unref();
      this.sleepers.add(wake);
    });
  }
}
