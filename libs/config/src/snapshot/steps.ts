/**
 * A long computation written as a generator that yields now and then, so that a caller serving
 * requests can run it in slices between them (the data plane builds a new config this way) and
 * anyone else can run it straight through. The yields carry no value; how often a step yields is
 * the step's choice (every few hundred items), how long a slice lasts is the caller's.
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
