import { closeSync, openSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

/** How often a serving process checks it can still open a descriptor. */
const PROBE_EVERY_MS = 1000;
/** A process found out of descriptors this recently is not ready. */
const EXHAUSTED_HOLD_MS = 2000;

/** Whether a descriptor can still be opened here: false when this process is at its limit. */
export function descriptorsLeft(): boolean {
  try {
    closeSync(openSync('/dev/null', 'r'));
    return true;
  } catch {
    return false;
  }
}

/**
 * Notices when this process runs out of file descriptors. node never hears of it from its
 * listeners: on EMFILE libuv closes the pending connections with a descriptor it keeps in reserve
 * and goes on listening, silently. So a cheap probe (open and close /dev/null) runs once a second,
 * and whenever readiness is asked.
 */
export class DescriptorWatch {
  /** Times the process was found (or told it was) out of descriptors. */
  exhaustions = 0;
  private lastExhaustedAt = -Infinity;
  private readonly timer: NodeJS.Timeout;

  constructor() {
    this.timer = setInterval(() => this.probe(), PROBE_EVERY_MS).unref();
  }

  /** An accept (or anything else) failed for lack of descriptors. */
  exhausted(): void {
    this.exhaustions++;
    this.lastExhaustedAt = performance.now();
  }

  probe(): boolean {
    if (descriptorsLeft()) return true;
    this.exhausted();
    return false;
  }

  /** Descriptors to spare now, and none lacking in the last seconds. */
  healthy(): boolean {
    return this.probe() && performance.now() - this.lastExhaustedAt > EXHAUSTED_HOLD_MS;
  }

  close(): void {
    clearInterval(this.timer);
  }
}
