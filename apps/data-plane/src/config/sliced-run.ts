import type { Steps } from '@tollgate/config';

/** The longest a config build holds the event loop before letting waiting requests through. */
export const APPLY_SLICE_MS = 4;

/** How a sliced run went: the event loop was held at most `longestSliceMs` at a time. */
export interface SlicedRun<T> {
  readonly value: T;
  readonly slices: number;
  readonly longestSliceMs: number;
}

/**
 * Runs `steps` in slices of about `sliceMs`, handing the event loop back between them
 * (setImmediate, so requests that arrived meanwhile are read and served first). This is how a
 * process that serves requests builds a new config beside the live one without stalling them:
 * the build takes a little longer in total, and no request waits behind more than one slice.
 */
export function runInSlices<T>(steps: Steps<T>, sliceMs: number): Promise<SlicedRun<T>> {
  return new Promise((resolve, reject) => {
    let slices = 0;
    let longest = 0;
    const slice = () => {
      const started = performance.now();
      slices++;
      try {
        for (;;) {
          const next = steps.next();
          const now = performance.now();
          if (next.done === true) {
            longest = Math.max(longest, now - started);
            return resolve({ value: next.value, slices, longestSliceMs: longest });
          }
          if (now - started >= sliceMs) {
            longest = Math.max(longest, now - started);
            return void setImmediate(slice);
          }
        }
      } catch (error) {
        reject(error as Error);
      }
    };
    slice();
  });
}
