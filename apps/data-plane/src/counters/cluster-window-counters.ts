import type { CounterWindow, WindowCounterStore, WindowCounts } from '@tollgate/plugins';
import { COUNTER_DELTAS, ENTRY_WIDTH, type CounterDeltasMessage, type CounterTotalsMessage } from './counter-sync-messages';

const SLOTS = 6;

/** What a worker knows of one key: the node total last heard, plus its own unconfirmed counts. */
class SharedEntry {
  readonly starts = new Float64Array(SLOTS).fill(-1);
  readonly ttls = new Float64Array(SLOTS);
  /** Node-wide total as of the primary's last message. */
  readonly synced = new Float64Array(SLOTS);
  /** Sent to the primary, not yet in a total it sent back. */
  readonly inflight = new Float64Array(SLOTS);
  /** Counted here since the last flush. */
  readonly pending = new Float64Array(SLOTS);
  /** synced + inflight + pending: what a request sees. */
  readonly view = new Float64Array(SLOTS);
  expiresAt = 0;

  roll(slot: number, start: number, ttlMs: number): void {
    if (this.starts[slot] === start) return;
    this.starts[slot] = start;
    this.ttls[slot] = ttlMs;
    this.synced[slot] = this.inflight[slot] = this.pending[slot] = this.view[slot] = 0;
    if (start + ttlMs > this.expiresAt) this.expiresAt = start + ttlMs;
  }
}

/**
 * A worker's view of the node's `local` counters. A request counts here synchronously (no IPC
 * wait on the request path); increments go to the primary in batches every `flushEveryMs`, and
 * the primary answers with node-wide totals. The approximation: a worker does not see the other
 * workers' last batch, so a limit can be overshot by what the other workers admit within about
 * one flush interval plus one IPC round trip.
 */
export class ClusterWindowCounters implements WindowCounterStore {
  private readonly entries = new Map<string, SharedEntry>();
  private readonly dirty = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly send: (message: CounterDeltasMessage) => void,
    private readonly flushEveryMs = 10,
  ) {
    this.sweeper = setInterval(() => this.sweep(Date.now()), 60_000);
    this.sweeper.unref();
  }

  increment(key: string, windows: readonly CounterWindow[], amount = 1): WindowCounts {
    let entry = this.entries.get(key);
    if (entry === undefined) this.entries.set(key, (entry = new SharedEntry()));
    for (let i = 0; i < windows.length; i++) {
      const w = windows[i]!;
      entry.roll(w.slot, w.start, w.ttlMs);
      entry.pending[w.slot]! += amount;
      entry.view[w.slot]! += amount;
    }
    if (amount === 0) return entry.view;
    this.dirty.add(key);
    if (this.timer === null) this.timer = setTimeout(() => this.flush(), this.flushEveryMs);
    return entry.view;
  }

  flush(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const entries: (string | number)[] = [];
    for (const key of this.dirty) {
      const entry = this.entries.get(key);
      if (entry === undefined) continue;
      for (let slot = 0; slot < SLOTS; slot++) {
        const delta = entry.pending[slot]!;
        if (delta === 0) continue;
        entries.push(key, slot, entry.starts[slot]!, entry.ttls[slot]!, delta);
        entry.inflight[slot]! += delta;
        entry.pending[slot] = 0;
      }
    }
    this.dirty.clear();
    if (entries.length > 0) this.send({ type: COUNTER_DELTAS, entries });
  }

  receive(message: CounterTotalsMessage): void {
    const e = message.entries;
    for (let i = 0; i < e.length; i += ENTRY_WIDTH) {
      const entry = this.entries.get(e[i] as string);
      const slot = e[i + 1] as number;
      if (entry === undefined || entry.starts[slot] !== e[i + 2]) continue;
      entry.synced[slot] = e[i + 3] as number;
      entry.inflight[slot]! -= e[i + 4] as number;
      entry.view[slot] = entry.synced[slot]! + entry.inflight[slot]! + entry.pending[slot]!;
    }
  }

  sweep(now: number): void {
    for (const [key, entry] of this.entries) if (entry.expiresAt <= now && !this.dirty.has(key)) this.entries.delete(key);
  }

  close(): void {
    clearInterval(this.sweeper);
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}
