import type { UsageAggregator } from './usage-aggregator';

/** Calls held before they are counted; at ~15k calls/s a full buffer is counted every ~70 ms. */
export const CALL_BUFFER_CAPACITY = 1024;
/** Numbers kept per call: finished at (epoch ms), status, bytes in, bytes out, total ms, upstream ms. */
const FIELDS = 6;

/**
 * Finished calls waiting to be counted. On the request path `push` only appends to preallocated
 * columns (three id references and six numbers, written in sequence); a full buffer is counted in
 * one pass, in which the aggregator's maps, cells and histograms stay in the CPU cache from one
 * call to the next. Counted one at a time between proxied calls, each lookup and histogram update
 * was a cache miss: measured, that made metering cost the proxy several times what its
 * instructions do. Nothing is lost by waiting: each call keeps the time it finished, so it is
 * counted in its own minute, and `absorb` runs before every flush.
 */
export class CallBuffer {
  private readonly services: (string | null)[] = new Array<string | null>(CALL_BUFFER_CAPACITY).fill(null);
  private readonly routes: (string | null)[] = new Array<string | null>(CALL_BUFFER_CAPACITY).fill(null);
  private readonly consumers: (string | null)[] = new Array<string | null>(CALL_BUFFER_CAPACITY).fill(null);
  private readonly numbers = new Float64Array(CALL_BUFFER_CAPACITY * FIELDS);
  private length = 0;

  constructor(
    private readonly aggregator: UsageAggregator,
    private readonly clock: () => number,
  ) {}

  /** Calls held, not yet counted. */
  get size(): number {
    return this.length;
  }

  push(
    serviceId: string | null,
    routeId: string | null,
    consumerId: string | null,
    status: number,
    bytesIn: number,
    bytesOut: number,
    totalMs: number,
    upstreamMs: number,
  ): void {
    const i = this.length;
    this.services[i] = serviceId;
    this.routes[i] = routeId;
    this.consumers[i] = consumerId;
    const n = this.numbers;
    const at = i * FIELDS;
    n[at] = this.clock();
    n[at + 1] = status;
    n[at + 2] = bytesIn;
    n[at + 3] = bytesOut;
    n[at + 4] = totalMs;
    n[at + 5] = upstreamMs;
    if (++this.length === CALL_BUFFER_CAPACITY) this.absorb();
  }

  /** Counts every held call into the aggregator and empties the buffer. */
  absorb(): void {
    const n = this.numbers;
    for (let i = 0; i < this.length; i++) {
      const at = i * FIELDS;
      this.aggregator.recordAt(n[at]!, this.services[i] ?? null, this.routes[i] ?? null, this.consumers[i] ?? null, n[at + 1]!, n[at + 2]!, n[at + 3]!, n[at + 4]!, n[at + 5]!);
      // Hold no reference to ids of a config that may since have been replaced.
      this.services[i] = null;
      this.routes[i] = null;
      this.consumers[i] = null;
    }
    this.length = 0;
  }
}
