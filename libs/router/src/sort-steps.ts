import { ITEMS_PER_YIELD, type Steps } from '@tollgate/config';

/** Runs sorted by Array.prototype.sort before the merges; one run is one step. */
const RUN = 1024;

/**
 * Sorts `items` (stable, as Array.prototype.sort) in steps: runs of RUN items, then merges of
 * runs, yielding as it goes, so 100,000 routes never sort in one piece. Returns the sorted array,
 * which may be `items` or a new one.
 */
export function* sortSteps<T>(items: T[], compare: (a: T, b: T) => number): Steps<T[]> {
  if (items.length <= RUN) return items.sort(compare);
  for (let start = 0; start < items.length; start += RUN) {
    const run = items.slice(start, start + RUN).sort(compare);
    for (let i = 0; i < run.length; i++) items[start + i] = run[i]!;
    yield;
  }
  let from = items;
  let to = new Array<T>(items.length);
  for (let width = RUN; width < items.length; width *= 2) {
    for (let low = 0; low < items.length; low += 2 * width) {
      const middle = Math.min(low + width, items.length);
      yield* mergeSteps(from, low, middle, from, middle, Math.min(low + 2 * width, items.length), to, low, compare);
    }
    [from, to] = [to, from];
  }
  return from;
}

/**
 * Merges sorted a[aLow..aHigh) and b[bLow..bHigh) into out from `at`, taking from `a` on ties
 * (which keeps a stable sort stable).
 */
export function* mergeSteps<T>(
  a: readonly T[],
  aLow: number,
  aHigh: number,
  b: readonly T[],
  bLow: number,
  bHigh: number,
  out: T[],
  at: number,
  compare: (x: T, y: T) => number,
): Steps<void> {
  let i = aLow;
  let j = bLow;
  let k = at;
  while (i < aHigh && j < bHigh) {
    out[k++] = compare(a[i]!, b[j]!) <= 0 ? a[i++]! : b[j++]!;
    if (k % (ITEMS_PER_YIELD * 8) === 0) yield;
  }
  while (i < aHigh) out[k++] = a[i++]!;
  while (j < bHigh) out[k++] = b[j++]!;
}

export const compareStrings = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
