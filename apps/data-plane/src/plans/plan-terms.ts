import type { Plan, PlanTermsVersion } from '@tollgate/config';
import { jsonResponse, windowsAt, type PluginResponse, type RateWindow } from '@tollgate/plugins';

/** Kong's rate-limiting periods a plan may limit, by counter slot. */
const RATE_FIELDS = ['second', 'minute', 'hour'] as const;

/**
 * One version of a plan's terms, prepared once per config: limits as header text, the windows
 * of its rate limits cached per second, its refusals. Requests only read it.
 */
export class PreparedTerms {
  readonly rateSlots: readonly number[];
  readonly rateLimits: readonly number[];
  readonly rateLimitTexts: readonly string[];
  readonly quotaLimit: number;
  readonly quotaLimitText: string;
  readonly quotaPer: 'interval' | 'day' | 'month';
  readonly blocks: boolean;
  readonly bill5xx: boolean;
  private second = -1;
  private windows: readonly RateWindow[] = [];

  constructor(readonly terms: PlanTermsVersion) {
    const limits = RATE_FIELDS.map((field) => terms.rate_limit?.[field] ?? 0);
    this.rateLimits = limits;
    this.rateLimitTexts = limits.map(String);
    this.rateSlots = limits.flatMap((limit, slot) => (limit > 0 ? [slot] : []));
    this.quotaLimit = terms.quota?.limit ?? 0;
    this.quotaLimitText = String(this.quotaLimit);
    this.quotaPer = terms.quota?.per ?? 'interval';
    this.blocks = terms.overage === 'block';
    this.bill5xx = terms.bill_5xx;
  }

  /** The windows of this version's rate limits at `now`, rebuilt when the second turns. */
  rateWindows(now: number): readonly RateWindow[] {
    const second = Math.floor(now / 1000);
    if (second !== this.second) {
      const all = windowsAt(now);
      this.windows = this.rateSlots.map((slot) => all[slot]!);
      this.second = second;
    }
    return this.windows;
  }
}

export const NOT_SUBSCRIBED: PluginResponse = jsonResponse(403, 'You are not subscribed to this API');
export const RATE_LIMITED: PluginResponse = jsonResponse(429, 'API rate limit exceeded');
export const QUOTA_SPENT: PluginResponse = jsonResponse(429, 'You have exceeded the quota of requests of your plan');

/** A plan as enforced: the services it covers and every version of its terms, newest first. */
export class PreparedPlan {
  readonly services: ReadonlySet<string>;
  /** Newest first: the current terms, then terms_history. */
  readonly versions: readonly PreparedTerms[];

  constructor(readonly plan: Plan) {
    this.services = new Set(plan.services.map((s) => s.id));
    const current: PlanTermsVersion = {
      // A declarative file may leave out what the control plane generates.
      version: plan.terms_version ?? 1,
      effective_at: plan.terms_effective_at ?? 0,
      price: plan.price,
      quota: plan.quota,
      overage: plan.overage,
      rate_limit: plan.rate_limit,
      bill_5xx: plan.bill_5xx,
    };
    this.versions = [current, ...(plan.terms_history ?? [])].map((t) => new PreparedTerms(t));
  }

  /** The terms a period starting at `startSeconds` runs on: the newest effective by then. */
  termsFor(startSeconds: number): PreparedTerms {
    for (const version of this.versions) if (version.terms.effective_at <= startSeconds) return version;
    return this.versions[this.versions.length - 1]!;
  }
}
