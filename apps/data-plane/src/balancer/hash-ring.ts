import { NO_HASH, type PickStrategy } from './pick-strategy';
import type { TargetSet } from './target-set';
import { xxhash32 } from './xxhash32';

/** Ketama's (and Kong's) points per target when all weights are equal. */
const POINTS_PER_TARGET = 160;

/**
 * Kong's consistent hashing: every enabled target owns points on a 32-bit ring in proportion to
 * its weight (160 each when weights are equal, at most `slots` in all) and a key goes to the
 * owner of the first point at or after its hash. Points are named `host:port i` and so do not
 * move when other targets come or go: adding one of N+1 targets moves only ~1/(N+1) of the keys,
 * all of them to the new target. A down or excluded owner passes the key to the next point's.
 */
export class HashRing implements PickStrategy {
  /** Sorted point positions, and the target index owning each. */
  readonly positions: Uint32Array;
  private readonly owners: Uint32Array;
  /** Where requests without a hash input start, stepped per request to spread them. */
  private spin = 0;

  constructor(
    private readonly targets: TargetSet,
    slots: number,
  ) {
    const points = pointsPerTarget(targets, slots);
    const hashes: number[] = [];
    const owners: number[] = [];
    for (let i = 0; i < points.length; i++) {
      const key = targets.addresses[i].key;
      for (let p = 1; p <= points[i]; p++) {
        hashes.push(xxhash32(`${key} ${p}`));
        owners.push(i);
      }
    }
    // Equal positions are ordered by key, so the ring does not depend on target order.
    const order = hashes.map((_, j) => j);
    const keys = targets.addresses.map((a) => a.key);
    order.sort((a, b) => hashes[a] - hashes[b] || (keys[owners[a]] < keys[owners[b]] ? -1 : 1));
    this.positions = Uint32Array.from(order, (j) => hashes[j]);
    this.owners = Uint32Array.from(order, (j) => owners[j]);
  }

  pick(exclude: ReadonlySet<string> | undefined, hash: number): number {
    const n = this.positions.length;
    if (n === 0) return -1;
    let at: number;
    if (hash === NO_HASH) {
      at = this.spin;
      this.spin = at + 1 === n ? 0 : at + 1;
    } else {
      at = this.firstAtOrAfter(hash);
    }
    for (let k = 0; k < n; k++, at = at + 1 === n ? 0 : at + 1) {
      const owner = this.owners[at];
      if (this.targets.eligible(owner, exclude)) return owner;
    }
    return -1;
  }

  /** Binary search; past the last point the ring wraps to the first. */
  private firstAtOrAfter(hash: number): number {
    const positions = this.positions;
    let lo = 0;
    let hi = positions.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (positions[mid] < hash) lo = mid + 1;
      else hi = mid;
    }
    return lo === positions.length ? 0 : lo;
  }
}

/** Kong's share: floor(weight / total * enabled * 160), at least 1 for an enabled target. */
function pointsPerTarget(targets: TargetSet, slots: number): Int32Array {
  const { weights } = targets;
  let enabled = 0;
  let totalWeight = 0;
  for (const w of weights) {
    if (w > 0) {
      enabled++;
      totalWeight += w;
    }
  }
  const points = new Int32Array(weights.length);
  let total = 0;
  for (let i = 0; i < weights.length; i++) {
    if (weights[i] > 0) points[i] = Math.max(1, Math.floor((weights[i] / totalWeight) * enabled * POINTS_PER_TARGET));
    total += points[i];
  }
  // `slots` bounds the ring: scale every share down together when there are too many targets.
  if (total > slots) {
    for (let i = 0; i < points.length; i++) if (points[i] > 0) points[i] = Math.max(1, Math.floor((points[i] * slots) / total));
  }
  return points;
}
