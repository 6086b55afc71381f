import type { PickStrategy } from './pick-strategy';
import type { TargetSet } from './target-set';
import type { Outcome } from './types';

/** Kong's decay time: a sample's influence falls to 1/e after 10 s. */
const DECAY_MS = 10_000;
/**
 * Failed requests have no latency, yet a target that refuses connections answers "fastest" of
 * all: a failure counts as a slow sample so the algorithm does not pour traffic into it.
 */
const FAILURE_PENALTY_MS = 1_000;

/**
 * Kong's `latency` algorithm (peak EWMA, after Finagle): each target's cost is a time-decayed
 * average of its response latency that jumps straight up to a slower sample ("peak") and comes
 * down over ~10 s. While a target is idle its cost decays toward 0, so it is tried again. The
 * lowest cost * (in-flight + 1) / weight wins; the in-flight factor stops a burst of concurrent
 * requests all landing on one target before any of them has answered. A target with no sample
 * yet costs the mean of the others (Kong's slow start) instead of 0, which would flood it.
 */
export class EwmaLatency implements PickStrategy {
  readonly cost: Float64Array;
  readonly touchedAt: Float64Array;
  readonly sampled: Uint8Array;
  /** Per-pick scratch: each target's decayed cost, so the scoring pass need not recompute it. */
  private readonly decayed: Float64Array;
  private start = 0;

  constructor(
    private readonly targets: TargetSet,
    private readonly inFlight: Int32Array,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.cost = new Float64Array(targets.size);
    this.touchedAt = new Float64Array(targets.size);
    this.sampled = new Uint8Array(targets.size);
    this.decayed = new Float64Array(targets.size);
  }

  observe(i: number, outcome: Outcome): void {
    const sample = outcome.kind === 'response' ? outcome.latencyMs : Math.max(FAILURE_PENALTY_MS, 2 * this.cost[i]);
    const now = this.now();
    if (this.sampled[i] === 0 || sample > this.cost[i]) {
      this.cost[i] = sample;
    } else {
      const w = Math.exp(-Math.max(0, now - this.touchedAt[i]) / DECAY_MS);
      this.cost[i] = this.cost[i] * w + sample * (1 - w);
    }
    this.sampled[i] = 1;
    this.touchedAt[i] = now;
  }

  pick(exclude: ReadonlySet<string> | undefined): number {
    const now = this.now();
    const n = this.cost.length;
    let sum = 0;
    let count = 0;
    for (let i = 0; i < n; i++) {
      if (this.sampled[i] === 0) continue;
      this.decayed[i] = this.cost[i] * Math.exp(-Math.max(0, now - this.touchedAt[i]) / DECAY_MS);
      sum += this.decayed[i];
      count++;
    }
    const unsampledCost = count === 0 ? 0 : sum / count;
    let best = -1;
    let bestScore = Infinity;
    for (let k = 0, i = this.start; k < n; k++, i = i + 1 === n ? 0 : i + 1) {
      if (!this.targets.eligible(i, exclude)) continue;
      const cost = this.sampled[i] === 1 ? this.decayed[i] : unsampledCost;
      const score = (cost * (this.inFlight[i] + 1)) / this.targets.weights[i];
      if (score < bestScore) {
        best = i;
        bestScore = score;
      }
    }
    // Ties (no samples yet, say) go round-robin rather than always to the first target.
    if (best >= 0) this.start = best + 1 === n ? 0 : best + 1;
    return best;
  }

  /** Keeps what the previous config's balancer learned about a target that is still there. */
  copyTarget(from: EwmaLatency, fromIndex: number, toIndex: number): void {
    this.cost[toIndex] = from.cost[fromIndex];
    this.touchedAt[toIndex] = from.touchedAt[fromIndex];
    this.sampled[toIndex] = from.sampled[fromIndex];
  }
}
