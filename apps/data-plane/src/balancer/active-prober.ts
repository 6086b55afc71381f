import type { Healthchecks } from '@tollgate/config';
import type { ProbeResult } from './health-tracker';
import { sendProbe } from './probe-request';
import type { TargetSet } from './target-set';

/**
 * Kong's active health checks for one upstream: every healthy.interval seconds the healthy
 * targets are probed, every unhealthy.interval seconds the unhealthy ones (0 turns a side off),
 * at most `concurrency` probes at a time. A round starts its interval once the previous round is
 * done, so a slow target never piles probes up. Timers are unref'd: probes never keep a
 * process alive.
 */
export class ActiveProber {
  private closed = false;
  private readonly timers: (NodeJS.Timeout | null)[] = [null, null];
  private readonly abort = new AbortController();

  constructor(
    private readonly targets: TargetSet,
    private readonly checks: Healthchecks['active'],
    private readonly onResult: (index: number, result: ProbeResult) => void,
  ) {}

  /** True when the config probes at all. */
  static enabled(checks: Healthchecks['active']): boolean {
    return checks.healthy.interval > 0 || checks.unhealthy.interval > 0;
  }

  start(): void {
    this.schedule(true);
    this.schedule(false);
  }

  close(): void {
    this.closed = true;
    for (const timer of this.timers) if (timer !== null) clearTimeout(timer);
    this.abort.abort();
  }

  private schedule(healthySide: boolean): void {
    const seconds = healthySide ? this.checks.healthy.interval : this.checks.unhealthy.interval;
    if (this.closed || seconds <= 0) return;
    const timer = setTimeout(() => void this.round(healthySide), seconds * 1000);
    timer.unref();
    this.timers[healthySide ? 0 : 1] = timer;
  }

  private async round(healthySide: boolean): Promise<void> {
    const due: number[] = [];
    for (let i = 0; i < this.targets.size; i++) {
      // Disabled (weight 0) targets take no traffic, so Kong does not probe them either.
      if (this.targets.weights[i] > 0 && this.targets.health[i].healthy === healthySide) due.push(i);
    }
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < due.length && !this.closed) await this.probe(due[next++]);
    };
    const workers = Math.max(1, Math.min(this.checks.concurrency, due.length));
    await Promise.all(Array.from({ length: workers }, worker));
    this.schedule(healthySide);
  }

  private async probe(index: number): Promise<void> {
    const result = await sendProbe(this.targets.addresses[index], this.checks, this.abort.signal);
    if (!this.closed) this.onResult(index, result);
  }
}
