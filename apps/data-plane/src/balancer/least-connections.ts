import type { PickStrategy } from './pick-strategy';
import type { TargetSet } from './target-set';

/**
 * Kong's least-connections: the lowest (in-flight + 1) / weight wins. The scan starts after the
 * last winner so that ties (all idle, say) go round-robin instead of always to the first target.
 */
export class LeastConnections implements PickStrategy {
  private start = 0;

  constructor(
    private readonly targets: TargetSet,
    private readonly inFlight: Int32Array,
  ) {}

  pick(exclude: ReadonlySet<string> | undefined): number {
    const { weights } = this.targets;
    const n = weights.length;
    let best = -1;
    let bestScore = Infinity;
    for (let k = 0, i = this.start; k < n; k++, i = i + 1 === n ? 0 : i + 1) {
      if (!this.targets.eligible(i, exclude)) continue;
      const score = (this.inFlight[i] + 1) / weights[i];
      if (score < bestScore) {
        best = i;
        bestScore = score;
      }
    }
    if (best >= 0) this.start = best + 1 === n ? 0 : best + 1;
    return best;
  }
}
