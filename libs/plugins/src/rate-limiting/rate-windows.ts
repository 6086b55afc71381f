import type { CounterWindow } from '../plugin-handler';

/** Kong's periods, in the order of the `second`..`year` config fields; the index is the slot. */
export const RATE_PERIODS = ['second', 'minute', 'hour', 'day', 'month', 'year'] as const;
export type RatePeriod = (typeof RATE_PERIODS)[number];

/** Counter lifetimes, Kong's `expiration.lua`: a month lives 30 days, a year 365. */
const TTL_MS: readonly number[] = [1, 60, 3600, 86400, 2592000, 31536000].map((s) => s * 1000);

/** A window and when it ends, for the Reset and Retry-After headers. */
export interface RateWindow extends CounterWindow {
  readonly end: number;
}

function windowBounds(slot: number, now: number): [number, number] {
  if (slot < 4) {
    const length = TTL_MS[slot]!;
    const start = now - (now % length);
    return [start, start + length];
  }
  const date = new Date(now);
  const year = date.getUTCFullYear();
  if (slot === 4) {
    const month = date.getUTCMonth();
    return [Date.UTC(year, month, 1), Date.UTC(year, month + 1, 1)];
  }
  return [Date.UTC(year, 0, 1), Date.UTC(year + 1, 0, 1)];
}

/** The six windows containing `now`, aligned to the UTC calendar. */
export function windowsAt(now: number): readonly RateWindow[] {
  return RATE_PERIODS.map((name, slot) => {
    const [start, end] = windowBounds(slot, now);
    return Object.freeze({ slot, name, start, end, ttlMs: TTL_MS[slot]! });
  });
}

let cachedSecond = -1;
let cached: readonly RateWindow[] = [];

/** The current windows, rebuilt once per second rather than per request. */
export function currentWindows(now: number): readonly RateWindow[] {
  const second = Math.floor(now / 1000);
  if (second !== cachedSecond) {
    cached = windowsAt(now);
    cachedSecond = second;
  }
  return cached;
}

/**
 * The windows of the periods one plugin instance limits, cached per second: the selection is
 * rebuilt only when the second turns, so a request allocates nothing for it.
 */
export class ConfiguredWindows {
  private second = -1;
  private windows: readonly RateWindow[] = [];

  constructor(private readonly slots: readonly number[]) {}

  at(now: number): readonly RateWindow[] {
    const second = Math.floor(now / 1000);
    if (second !== this.second) {
      const all = currentWindows(now);
      this.windows = this.slots.map((slot) => all[slot]!);
      this.second = second;
    }
    return this.windows;
  }
}
