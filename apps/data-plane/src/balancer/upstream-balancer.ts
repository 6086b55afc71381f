import type { Target, Upstream } from '@tollgate/config';
import { ActiveProber } from './active-prober';
import { EwmaLatency } from './ewma-latency';
import { HashInput } from './hash-input';
import { HashRing } from './hash-ring';
import { HealthTracker } from './health-tracker';
import { LeastConnections } from './least-connections';
import { NO_HASH, type PickStrategy } from './pick-strategy';
import { RoundRobin } from './round-robin';
import { TargetSet } from './target-set';
import type { Balancer, BalancerRequest, Outcome, TargetAddress } from './types';
import { xxhash32 } from './xxhash32';

/** One upstream's balancer: its algorithm, in-flight counts, health checks and hash input. */
export class UpstreamBalancer implements Balancer {
  readonly targets: TargetSet;
  private readonly inFlight: Int32Array;
  private readonly strategy: PickStrategy;
  private readonly hashInput: HashInput | null;
  private readonly tracker: HealthTracker;
  private readonly prober: ActiveProber | null = null;

  constructor(
    readonly upstream: Upstream,
    targets: readonly Target[],
    probes: boolean,
  ) {
    this.targets = new TargetSet(upstream.name, targets);
    this.inFlight = new Int32Array(this.targets.size);
    // Kong: any hash_on makes the upstream consistent-hashing, whatever its algorithm says.
    this.hashInput = upstream.hash_on !== 'none' ? new HashInput(upstream) : null;
    this.strategy = this.createStrategy();
    this.tracker = new HealthTracker(upstream.healthchecks);
    const active = upstream.healthchecks.active;
    if (probes && ActiveProber.enabled(active) && this.targets.size > 0) {
      this.prober = new ActiveProber(this.targets, active, (i, result) => this.tracker.observeProbe(this.targets.health[i], result));
      this.prober.start();
    }
  }

  pick(req: BalancerRequest, exclude?: ReadonlySet<string>): TargetAddress | null {
    // Kong's threshold: below that share of healthy weight the whole upstream is down. The
    // O(targets) sum runs only for upstreams that set one.
    const threshold = this.upstream.healthchecks.threshold;
    if (threshold > 0 && this.targets.healthyWeightPercent() < threshold) return null;
    let hash = NO_HASH;
    if (this.hashInput !== null) {
      const value = this.hashInput.value(req);
      if (value !== null) hash = xxhash32(value);
    }
    const index = this.strategy.pick(exclude, hash);
    return index < 0 ? null : this.targets.addresses[index];
  }

  onStart(target: TargetAddress): void {
    const i = this.targets.indexOf(target.key);
    if (i >= 0) this.inFlight[i]++;
  }

  report(target: TargetAddress, outcome: Outcome): void {
    const i = this.targets.indexOf(target.key);
    if (i < 0) return; // a target of another config: nothing here to update
    if (this.inFlight[i] > 0) this.inFlight[i]--;
    if (this.strategy instanceof EwmaLatency) this.strategy.observe(i, outcome);
    this.tracker.observeTraffic(this.targets.health[i], outcome);
  }

  cookieToSet(req: BalancerRequest): string | null {
    return this.hashInput === null ? null : this.hashInput.cookieToSet(req);
  }

  health(): { target: string; weight: number; healthy: boolean }[] {
    return this.targets.addresses.map((a, i) => ({ target: a.key, weight: this.targets.weights[i], healthy: this.targets.health[i].healthy }));
  }

  close(): void {
    this.prober?.close();
  }

  /**
   * Shares the previous balancer's health record of every target both know, so reports still
   * arriving for the old config count here too, and keeps what latency learned. Skipped when
   * this upstream has no health checks left: nothing could bring a carried-over down target back.
   */
  carryFrom(previous: UpstreamBalancer): void {
    const checksOn = this.tracker.passiveEnabled || ActiveProber.enabled(this.upstream.healthchecks.active);
    for (let i = 0; i < this.targets.size; i++) {
      const j = previous.targets.indexOf(this.targets.addresses[i].key);
      if (j < 0) continue;
      if (checksOn) this.targets.health[i] = previous.targets.health[j];
      if (this.strategy instanceof EwmaLatency && previous.strategy instanceof EwmaLatency) this.strategy.copyTarget(previous.strategy, j, i);
    }
  }

  private createStrategy(): PickStrategy {
    if (this.hashInput !== null || this.upstream.algorithm === 'consistent-hashing') return new HashRing(this.targets, this.upstream.slots);
    if (this.upstream.algorithm === 'least-connections') return new LeastConnections(this.targets, this.inFlight);
    if (this.upstream.algorithm === 'latency') return new EwmaLatency(this.targets, this.inFlight);
    return new RoundRobin(this.targets);
  }
}
