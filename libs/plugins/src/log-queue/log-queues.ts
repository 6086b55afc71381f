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

  constructor(private readonly onFailure: (queue: string, error: unknown, entries: number, givenUp: boolean) => void = () => undefined) {}

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
    }
    return queue;
  }

  stats(): LogQueueStats[] {
    return [...this.queues.values()].map((q) => q.stats());
  }

  /** Flushes every queue for at most `boundMs` (in parallel), then releases their senders. */
  async close(boundMs: number): Promise<void> {
    this.closed = true;
    await Promise.all([...this.queues.values()].map((q) => q.close(boundMs)));
  }
}

const NULL_SENDER: BatchSender = { send: () => Promise.reject(new Error('log queues are closed')), close: () => undefined };

/** A queue's name: the plugin and a digest of its config (computed once per config, in `prepare`). */
export function queueKey(plugin: string, config: unknown): string {
  return `${plugin}:${createHash('sha256').update(JSON.stringify(config)).digest('hex').slice(0, 12)}`;
}
