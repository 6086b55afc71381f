import { COUNTER_TOTALS, ENTRY_WIDTH, type CounterDeltasMessage, type CounterTotalsMessage } from './counter-sync-messages';
import { LocalWindowCounters } from './local-window-counters';

/** Where the host sends totals: one per live worker. */
export interface CounterPeer {
  readonly id: number;
  send(message: CounterTotalsMessage): void;
}

/**
 * The cluster primary's side of `local` rate limiting: the node's authoritative counts. Each
 * batch of deltas from a worker is added in, and the new totals go back to every worker (the
 * sender learns which part of them was its own).
 */
export class NodeCounterHost {
  readonly counters = new LocalWindowCounters();

  apply(from: number, message: CounterDeltasMessage, peers: Iterable<CounterPeer>): void {
    const e = message.entries;
    const own: (string | number)[] = [];
    const others: (string | number)[] = [];
    for (let i = 0; i < e.length; i += ENTRY_WIDTH) {
      const [key, slot, start, ttl, delta] = e.slice(i, i + ENTRY_WIDTH) as [string, number, number, number, number];
      const total = this.counters.add(key, slot, start, ttl, delta);
      own.push(key, slot, start, total, delta);
      others.push(key, slot, start, total, 0);
    }
    for (const peer of peers) {
      peer.send({ type: COUNTER_TOTALS, entries: peer.id === from ? own : others });
    }
  }

  close(): void {
    this.counters.close();
  }
}
