/**
 * IPC between workers and the cluster primary for `local` rate-limiting counts, which are per
 * node. Entries are flat arrays (cheap to serialise), five values each.
 */
export const COUNTER_DELTAS = 'tollgate:counter-deltas';
export const COUNTER_TOTALS = 'tollgate:counter-totals';

/** Worker -> primary: `[key, slot, windowStart, ttlMs, delta, ...]`. */
export interface CounterDeltasMessage {
  readonly type: typeof COUNTER_DELTAS;
  readonly entries: (string | number)[];
}

/**
 * Primary -> every worker: `[key, slot, windowStart, total, ackedDelta, ...]`; `ackedDelta` is the
 * recipient's own delta that this total includes (0 for the other workers).
 */
export interface CounterTotalsMessage {
  readonly type: typeof COUNTER_TOTALS;
  readonly entries: (string | number)[];
}

export const ENTRY_WIDTH = 5;

export function isCounterDeltas(message: unknown): message is CounterDeltasMessage {
  return (message as { type?: unknown } | null)?.type === COUNTER_DELTAS;
}

export function isCounterTotals(message: unknown): message is CounterTotalsMessage {
  return (message as { type?: unknown } | null)?.type === COUNTER_TOTALS;
}
