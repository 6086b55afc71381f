import { createHash } from 'node:crypto';
import { LogQueue, type BatchSender, type LogQueueStats } from './log-queue';
import type { QueueConfig } from './queue-schema';

/**
 * The log queues of one serving process (a cluster worker has its own: queues, senders and their
 * sockets live per worker). Kong keys a queue by the plugin's config, so instances with the same
 * config share one, and a config that comes back after a change finds its queue still there.
 */
export class LogQueues {
  private readonly queues = new Map<string, LogQueue>();
  private closed = false;
  private sweeper: NodeJS.Timeout | null = null;
  /** Each queue's `added` count at the last sweep. */
  private readonly seen = new Map<LogQueue, number>();

  constructor(
    private readonly onFailure: (queue: string, error: unknown, entries: number, givenUp: boolean) => void = () => undefined,
    private readonly sweepMs = SWEEP_MS,
  ) {}

  /**
   * The queue for `key` (see `queueKey`), created with `sender()` on first use. After close(),
   * a queue that refuses every entry (counted as dropped), so a late log call never restarts work.
   */
  queue(plugin: string, key: string, config: QueueConfig, sender: () => BatchSender): LogQueue {
    let queue = this.queues.get(key);
    if (queue === undefined) {
      queue = new LogQueue(key, plugin, config, this.closed ? NULL_SENDER : sender(), (error, entries, givenUp) => this.onFailure(key, error, entries, givenUp));
      this.queues.set(key, queue);
      if (this.closed) void queue.close(0);
      else this.startSweeping();
    }
    return queue;
  }

  /**
   * A queue that stayed empty and got no entry for a whole sweep interval belongs to a config no
   * longer in use (or unused for that long): it is closed and forgotten, releasing its sockets.
   * A handler still holding it sees it closed and looks the queue up again.
   */
  private startSweeping(): void {
    if (this.sweeper !== null) return;
    this.sweeper = setInterval(() => {
      for (const [key, queue] of this.queues) {
        const before = this.seen.get(queue);
        this.seen.set(queue, queue.added);
        if (before !== queue.added || !queue.idle) continue;
        this.queues.delete(key);
        this.seen.delete(queue);
        void queue.close(0);
      }
    }, this.sweepMs);
    this.sweeper.unref();
  }

  stats(): LogQueueStats[] {
    return [...this.queues.values()].map((q) => q.stats());
  }

  /** Flushes every queue for at most `boundMs` (in parallel), then releases their senders. */
  async close(boundMs: number): Promise<void> {
    this.closed = true;
    if (this.sweeper !== null) clearInterval(this.sweeper);
    await Promise.all([...this.queues.values()].map((q) => q.close(boundMs)));
  }
}

/** How often unused queues are looked for. */
const SWEEP_MS = 10 * 60_000;

const NULL_SENDER: BatchSender = { send: () => Promise.reject(new Error('log queues are closed')), close: () => undefined };

/** A queue's name: the plugin and a digest of its config (computed once per config, in `prepare`). */
export function queueKey(plugin: string, config: unknown): string {
  return `${plugin}:${createHash('sha256').update(JSON.stringify(config)).digest('hex').slice(0, 12)}`;
}
