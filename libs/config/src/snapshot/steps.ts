/**
 * A long computation written as a generator that yields now and then, so that a caller serving
 * requests can run it in slices between them (the data plane builds a new config this way) and
 * anyone else can run it straight through. The yields carry no value; how often a step yields is
 * the step's choice, how long a slice lasts is the caller's.
 */
export type Steps<T> = Generator<void, T, undefined>;

/** How many loop iterations a step does between yields: cheap enough to check often. */
export const ITEMS_PER_YIELD = 256;

/** Runs `steps` to the end without yielding to anyone. */
export function runSteps<T>(steps: Steps<T>): T {
  for (;;) {
    const next = steps.next();
    if (next.done === true) return next.value;
  }
}

/**
 * Runs `body(from, to)` over [0, count) in chunks of ITEMS_PER_YIELD, yielding between chunks.
 * The loop belongs in `body`, a plain function: V8 optimizes one once it has been called a few
 * times, while a long loop written inside a generator is never optimized (it cannot be replaced
 * on the stack), which made the first sliced builds run at half speed.
 */
export function* chunkSteps(count: number, body: (from: number, to: number) => void): Steps<void> {
  for (let from = 0; from < count; from += ITEMS_PER_YIELD) {
    body(from, Math.min(count, from + ITEMS_PER_YIELD));
    if (from + ITEMS_PER_YIELD < count) yield;
  }
}
