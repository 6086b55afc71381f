import type { CounterWindow, WindowCounterStore, WindowCounts } from '@tollgate/plugins';

const SLOTS = 6;

/** One key's counters: per slot, the window it counts and the count. */
class WindowEntry {
  readonly starts = new Float64Array(SLOTS).fill(-1);
  readonly counts = new Float64Array(SLOTS);
  expiresAt = 0;

  /** Moves `slot` to the window starting at `start`, zeroing it if that is a new window. */
  roll(slot: number, start: number, ttlMs: number): void {
    if (this.starts[slot] === start) return;
    this.starts[slot] = start;
    this.counts[slot] = 0;
    if (start + ttlMs > this.expiresAt) this.expiresAt = start + ttlMs;
  }
}

/**
 * Fixed-window counters in this process's memory: the `local` policy of a data plane serving in
 * one process, and the node-wide totals kept by the cluster primary for its workers. Expired keys
 * are swept periodically, not per request.
 */
export class LocalWindowCounters implements WindowCounterStore {
  private readonly entries = new Map<string, WindowEntry>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(sweepEveryMs = 60_000) {
    this.sweeper = setInterval(() => this.sweep(Date.now()), sweepEveryMs);
    this.sweeper.unref();
  }

  increment(key: string, windows: readonly CounterWindow[], amount = 1): WindowCounts {
    const entry = this.entry(key);
    for (let i = 0; i < windows.length; i++) {
      const w = windows[i]!;
      entry.roll(w.slot, w.start, w.ttlMs);
      entry.counts[w.slot]! += amount;
    }
    return entry.counts;
  }

  /** Adds `delta` to one window of `key` and returns its total (deltas batched in from workers). */
  add(key: string, slot: number, start: number, ttlMs: number, delta: number): number {
    const entry = this.entry(key);
    // A batch that arrives after its window turned over adds nothing to the new window.
    if (entry.starts[slot] !== -1 && entry.starts[slot]! > start) return 0;
    entry.roll(slot, start, ttlMs);
    return (entry.counts[slot]! += delta);
  }

  sweep(now: number): void {
    for (const [key, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }

  close(): void {
    clearInterval(this.sweeper);
  }

  private entry(key: string): WindowEntry {
    let entry = this.entries.get(key);
    if (entry === undefined) this.entries.set(key, (entry = new WindowEntry()));
    return entry;
  }
}
