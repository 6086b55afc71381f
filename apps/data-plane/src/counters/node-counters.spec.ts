import type { CounterWindow } from '@tollgate/plugins';
import { ClusterWindowCounters } from './cluster-window-counters';
import type { CounterDeltasMessage, CounterTotalsMessage } from './counter-sync-messages';
import { LocalWindowCounters } from './local-window-counters';
import { NodeCounterHost, type CounterPeer } from './node-counter-host';

const minute = (start: number): CounterWindow => ({ slot: 1, name: 'minute', start, ttlMs: 60_000 });
const hour: CounterWindow = { slot: 2, name: 'hour', start: 0, ttlMs: 3_600_000 };

describe('local window counters', () => {
  const counters = new LocalWindowCounters();
  afterAll(() => counters.close());

  it('counts per key and window, and starts over when the window turns', () => {
    expect(Array.from(counters.increment('a', [minute(0), hour])).slice(1, 3)).toEqual([1, 1]);
    expect(counters.increment('a', [minute(0), hour])[1]).toBe(2);
    expect(counters.increment('b', [minute(0)])[1]).toBe(1);
    const next = counters.increment('a', [minute(60_000), hour]);
    expect([next[1], next[2]]).toEqual([1, 3]);
  });

  it('drops keys whose windows have all expired', () => {
    counters.sweep(60_000 * 3);
    expect(counters.size).toBe(1); // 'b' is gone; 'a' lives on through its hour window
    counters.sweep(3_600_000);
    expect(counters.size).toBe(0);
  });
});

/** A primary and two workers wired directly: the same messages IPC would carry. */
function cluster() {
  const host = new NodeCounterHost();
  const outbox: { from: number; message: CounterDeltasMessage }[] = [];
  const workers = [1, 2].map((id) => new ClusterWindowCounters((message) => outbox.push({ from: id, message }), 1_000_000));
  const peers: CounterPeer[] = workers.map((w, i) => ({ id: i + 1, send: (m: CounterTotalsMessage) => w.receive(m) }));
  const deliver = () => {
    for (const { from, message } of outbox.splice(0)) host.apply(from, message, peers);
  };
  return { host, workers, deliver, close: () => [host, ...workers].forEach((c) => c.close()) };
}

describe('node-wide counters across workers', () => {
  it('sees every worker count once the batches are exchanged', () => {
    const { workers, deliver, close } = cluster();
    const [w1, w2] = workers as [ClusterWindowCounters, ClusterWindowCounters];
    w1.increment('k', [minute(0)]);
    w1.increment('k', [minute(0)]);
    expect(w2.increment('k', [minute(0)])[1]).toBe(1); // not yet heard of worker 1
    w1.flush();
    w2.flush();
    deliver();
    expect(w1.increment('k', [minute(0)])[1]).toBe(4);
    expect(w2.increment('k', [minute(0)])[1]).toBe(4);
    close();
  });

  it('does not count a worker own increments twice while its batch is in flight', () => {
    const { workers, deliver, close } = cluster();
    const [w1, w2] = workers as [ClusterWindowCounters, ClusterWindowCounters];
    w1.increment('k', [minute(0)]);
    w1.flush();
    w2.increment('k', [minute(0)]);
    w2.flush();
    deliver();
    w1.flush();
    expect(w1.increment('k', [minute(0)])[1]).toBe(3);
    expect(w2.increment('k', [minute(0)])[1]).toBe(3); // worker 2 saw w1's 1, its own 1, then +1
    close();
  });
});
