/** No hash input for this request: hashing strategies spread such requests instead. */
export const NO_HASH = -1;

/**
 * One load-balancing algorithm over a TargetSet. `pick` runs on every proxied request, so it
 * reads prebuilt typed arrays and allocates nothing.
 */
export interface PickStrategy {
  /**
   * Index of the chosen target among those the TargetSet calls eligible, or -1 when none is.
   * `hash` is the request's 32-bit key hash for consistent hashing, NO_HASH otherwise.
   */
  pick(exclude: ReadonlySet<string> | undefined, hash: number): number;
}
