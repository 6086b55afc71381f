import { CALL_BUFFER_CAPACITY, CallBuffer } from './call-buffer';
import { UsageAggregator } from './usage-aggregator';

const MINUTE = 1_764_201_600_000;

describe('CallBuffer', () => {
  it('counts each call in the minute it finished, however late it is absorbed', () => {
    const clock = { now: MINUTE + 59_990 };
    const aggregator = new UsageAggregator(() => MINUTE + 10 * 60_000); // the aggregator's own clock is not used
    const buffer = new CallBuffer(aggregator, () => clock.now);
    buffer.push('s', 'r', 'c', 200, 10, 20, 5, 4);
    clock.now = MINUTE + 60_010;
    buffer.push('s', 'r', null, 503, 1, 2, 3, -1);
    expect([buffer.size, aggregator.size]).toEqual([2, 0]);
    buffer.absorb();
    expect(buffer.size).toBe(0);
    const rows = aggregator.drain();
    expect(rows.map((r) => [r.minute, r.consumer_id, r.status, r.count, r.bytes_in, r.bytes_out])).toEqual([
      [MINUTE, 'c', 200, 1, 10, 20],
      [MINUTE + 60_000, null, 503, 1, 1, 2],
    ]);
  });

  it('counts a full buffer at once, and keeps counting after', () => {
    const aggregator = new UsageAggregator();
    const buffer = new CallBuffer(aggregator, () => MINUTE);
    for (let i = 0; i < CALL_BUFFER_CAPACITY + 5; i++) buffer.push(null, null, null, 404, 100, 200, 1, -1);
    expect(buffer.size).toBe(5);
    buffer.absorb();
    const [row] = aggregator.drain();
    expect(row).toMatchObject({ count: CALL_BUFFER_CAPACITY + 5, bytes_in: 100 * (CALL_BUFFER_CAPACITY + 5), bytes_out: 200 * (CALL_BUFFER_CAPACITY + 5) });
  });
});
