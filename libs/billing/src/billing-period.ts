/** A plan's billing interval; `minute` and `hour` exist for sandboxes and tests. */
export type BillingInterval = 'minute' | 'hour' | 'day' | 'week' | 'month' | 'year';

export const BILLING_INTERVALS: readonly BillingInterval[] = Object.freeze(['minute', 'hour', 'day', 'week', 'month', 'year']);

/** A half-open period [start, end), ms since the epoch, UTC. */
export interface BillingPeriod {
  readonly start: number;
  readonly end: number;
}

export interface BillingCycle {
  readonly interval: BillingInterval;
  readonly intervalCount: number;
}

const FIXED_MS: Readonly<Partial<Record<BillingInterval, number>>> = {
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
  week: 7 * 86_400_000,
};

function monthsPer(cycle: BillingCycle): number {
  return (cycle.interval === 'year' ? 12 : 1) * cycle.intervalCount;
}

/**
 * The anchor moved on by `months` calendar months, its day clamped to the target month's last
 * day (anchored on Jan 31: Feb 28 or 29, then Mar 31), as Stripe's monthly billing does.
 */
function addMonthsClamped(anchor: number, months: number): number {
  const a = new Date(anchor);
  const monthIndex = a.getUTCFullYear() * 12 + a.getUTCMonth() + months;
  const year = Math.floor(monthIndex / 12);
  const month = monthIndex - year * 12;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const day = Math.min(a.getUTCDate(), lastDay);
  return Date.UTC(year, month, day, a.getUTCHours(), a.getUTCMinutes(), a.getUTCSeconds(), a.getUTCMilliseconds());
}

/** Start of the k-th period after the anchor (k may be negative). */
export function periodStart(anchor: number, cycle: BillingCycle, k: number): number {
  assertCycle(cycle);
  const fixed = FIXED_MS[cycle.interval];
  if (fixed !== undefined) return anchor + k * fixed * cycle.intervalCount;
  return addMonthsClamped(anchor, k * monthsPer(cycle));
}

/** The period of a cycle anchored at `anchor` that contains `at`. */
export function periodContaining(anchor: number, cycle: BillingCycle, at: number): BillingPeriod {
  assertCycle(cycle);
  const fixed = FIXED_MS[cycle.interval];
  let k: number;
  if (fixed !== undefined) {
    k = Math.floor((at - anchor) / (fixed * cycle.intervalCount));
  } else {
    const a = new Date(anchor);
    const b = new Date(at);
    const months = (b.getUTCFullYear() - a.getUTCFullYear()) * 12 + (b.getUTCMonth() - a.getUTCMonth());
    k = Math.floor(months / monthsPer(cycle));
    // The estimate is off by at most one either way (day-of-month and clamping).
    while (periodStart(anchor, cycle, k) > at) k--;
    while (periodStart(anchor, cycle, k + 1) <= at) k++;
  }
  return { start: periodStart(anchor, cycle, k), end: periodStart(anchor, cycle, k + 1) };
}

/** The period right after `period` in the same cycle. */
export function nextPeriod(anchor: number, cycle: BillingCycle, period: BillingPeriod): BillingPeriod {
  return periodContaining(anchor, cycle, period.end);
}

function assertCycle(cycle: BillingCycle): void {
  if (!BILLING_INTERVALS.includes(cycle.interval)) throw new RangeError(`unknown billing interval '${String(cycle.interval)}'`);
  if (!Number.isSafeInteger(cycle.intervalCount) || cycle.intervalCount < 1) {
    throw new RangeError(`interval_count must be a positive integer, got ${cycle.intervalCount}`);
  }
}
