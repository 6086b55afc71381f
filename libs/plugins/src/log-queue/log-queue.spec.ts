import { LogQueue, type BatchSender } from './log-queue';
import { LogQueues } from './log-queues';
import type { QueueConfig } from './queue-schema';

const config = (overrides: Partial<QueueConfig> = {}): QueueConfig => ({
  max_batch_size: 1,
  max_coalescing_delay: 0.05,
  max_entries: 100,
  max_bytes: null,
  max_retry_time: 60,
  initial_retry_delay: 0.01,
  max_retry_delay: 0.05,
  concurrency_limit: 1,
  ...overrides,
});

/** A sender that records batches and fails while `failing` is set. */
function recorder() {
  const batches: string[][] = [];
  const state = { failing: false, attempts: 0 };
  const sender: BatchSender = {
    send: (entries) => {
      state.attempts++;
      if (state.failing) return Promise.reject(new Error('down'));
      batches.push([...entries]);
      return Promise.resolve();
    },
    close: () => undefined,
  };
  return { batches, state, sender };
}

const settle = (ms: number) => new Promise((done) => setTimeout(done, ms));

describe('LogQueue (Kong queue semantics)', () => {
  it('sends full batches at once and partial ones after max_coalescing_delay', async () => {
    const { batches, sender } = recorder();
    const queue = new LogQueue('q', 'test', config({ max_batch_size: 3, max_coalescing_delay: 0.1 }), sender, () => undefined);
    for (const e of ['a', 'b', 'c', 'd']) queue.add(e);
    await settle(20);
    expect(batches).toEqual([['a', 'b', 'c']]);
    await settle(150);
    expect(batches).toEqual([['a', 'b', 'c'], ['d']]);
    expect(queue.stats()).toMatchObject({ queued: 0, sent: 4, dropped: 0 });
  });

  it('retries a failed batch with backoff and keeps order', async () => {
    const { batches, state, sender } = recorder();
    const queue = new LogQueue('q', 'test', config(), sender, () => undefined);
    state.failing = true;
    for (const e of ['1', '2', '3']) queue.add(e);
    await settle(100);
    expect(state.attempts).toBeGreaterThan(2);
    state.failing = false;
    await settle(150);
    expect(batches.flat()).toEqual(['1', '2', '3']);
  });

  it('gives up a batch after max_retry_time and counts it as failed', async () => {
    const { state, sender } = recorder();
    const failures: boolean[] = [];
    const queue = new LogQueue('q', 'test', config({ max_retry_time: 0.05 }), sender, (_e, _n, givenUp) => failures.push(givenUp));
    state.failing = true;
    queue.add('x');
    await settle(200);
    expect(queue.stats().failed).toBe(1);
    expect(failures[failures.length - 1]).toBe(true);
  });

  it('drops the oldest entries past max_entries and past max_bytes', () => {
    const { sender } = recorder();
    const byCount = new LogQueue('q', 'test', config({ max_entries: 2, max_batch_size: 10, max_coalescing_delay: 60 }), sender, () => undefined);
    for (const e of ['a', 'b', 'c', 'd']) byCount.add(e);
    expect(byCount.stats()).toMatchObject({ queued: 2, dropped: 2 });
    const byBytes = new LogQueue('q', 'test', config({ max_bytes: 10, max_batch_size: 10, max_coalescing_delay: 60 }), sender, () => undefined);
    for (const e of ['aaaa', 'bbbb', 'cccc', 'x'.repeat(11)]) byBytes.add(e);
    expect(byBytes.stats()).toMatchObject({ queued: 2, bytes: 8, dropped: 2 });
    void byCount.close(0);
    void byBytes.close(0);
  });

  it('flushes on close within its bound, then counts what is left as dropped', async () => {
    const ok = recorder();
    const queue = new LogQueue('q', 'test', config({ max_batch_size: 50, max_coalescing_delay: 3600 }), ok.sender, () => undefined);
    for (let i = 0; i < 5; i++) queue.add(String(i));
    await queue.close(1000);
    expect(ok.batches).toEqual([['0', '1', '2', '3', '4']]);
    const down = recorder();
    down.state.failing = true;
    const stuck = new LogQueue('q', 'test', config({ max_batch_size: 1 }), down.sender, () => undefined);
    for (let i = 0; i < 3; i++) stuck.add(String(i));
    const started = Date.now();
    await stuck.close(100);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(stuck.stats().dropped + stuck.stats().failed).toBe(3);
  });
});

describe('LogQueues', () => {
  it('shares one queue per key, forgets a queue unused for a sweep interval, and makes a new one when asked again', async () => {
    const queues = new LogQueues(() => undefined, 50);
    const { sender } = recorder();
    const first = queues.queue('test', 'test:abc', config(), () => sender);
    expect(queues.queue('test', 'test:abc', config(), () => sender)).toBe(first);
    first.add('x');
    await settle(200);
    expect(first.open).toBe(false);
    expect(queues.stats()).toEqual([]);
    const again = queues.queue('test', 'test:abc', config(), () => sender);
    expect(again).not.toBe(first);
    expect(again.open).toBe(true);
    await queues.close(100);
  });
});
