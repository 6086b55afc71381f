import type { PickStrategy } from './pick-strategy';
import type { TargetSet } from './target-set';

/**
 * nginx's smooth weighted round-robin: every pick adds each eligible target's weight to its
 * running score and takes the highest, which then pays back the total. Weights 5,1,1 give
 * a a b a c a a rather than a a a a a b c, so no target gets a burst.
 */
export class RoundRobin implements PickStrategy {
  private readonly current: Float64Array;

  constructor(private readonly targets: TargetSet) {
    this.current = new Float64Array(targets.size);
  }

  pick(exclude: ReadonlySet<string> | undefined): number {
    const { weights } = this.targets;
    const current = this.current;
    let total = 0;
    let best = -1;
    for (let i = 0; i < current.length; i++) {
      if (!this.targets.eligible(i, exclude)) continue;
      current[i] += weights[i];
      total += weights[i];
      if (best < 0 || current[i] > current[best]) best = i;
    }
    if (best >= 0) current[best] -= total;
    return best;
  }
}
