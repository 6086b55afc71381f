import type { Plan, Steps, Subscription } from '@tollgate/config';
import type { WindowCounts, WindowCounterStore } from '@tollgate/plugins';
import type { RequestContext } from '../proxy/request-context';
import { planCounters } from './plan-counters';
import { NOT_SUBSCRIBED, PreparedPlan, QUOTA_SPENT, RATE_LIMITED, type PreparedTerms } from './plan-terms';
import { SubscriptionIndex } from './subscription-index';
import { isActive, periodOf, type SubscriptionPeriod } from './subscription-periods';

const RATE_NAMES = ['Second', 'Minute', 'Hour'];
const LIMIT_HEADERS = RATE_NAMES.map((p) => `X-RateLimit-Limit-${p}`);
const REMAINING_HEADERS = RATE_NAMES.map((p) => `X-RateLimit-Remaining-${p}`);
const QUOTA_LIMIT = 'X-RateLimit-Requests-Limit';
const QUOTA_REMAINING = 'X-RateLimit-Requests-Remaining';
const QUOTA_RESET = 'X-RateLimit-Requests-Reset';

function secondsUntil(end: number, now: number): number {
  return Math.max(1, Math.ceil((end - now) / 1000));
}

/**
 * The marketplace on the request path, built once per config (null when no plan exists, so a
 * gateway without plans pays one null check): after authentication, a call to a service some
 * plan covers needs an active subscription to such a plan (403), then passes its plan's rate
 * limits (429, Kong's headers) and quota (RapidAPI's headers; 429 once a `block` plan is spent).
 * A quota is reserved when the call is admitted and given back when it ends in a 5xx the plan
 * does not bill, so one node admits exactly the quota however many calls run at once.
 */
export class MarketplaceGate {
  private constructor(
    private readonly plans: ReadonlyMap<string, PreparedPlan>,
    private readonly covered: ReadonlySet<string>,
    readonly subscriptions: SubscriptionIndex,
    /** Per subscription, its current period's counters; carried across configs. */
    private readonly periods: Map<string, SubscriptionPeriod>,
  ) {}

  static *build(plans: readonly Plan[], subscriptions: readonly Subscription[], previous: MarketplaceGate | null, plansChanged: boolean): Steps<MarketplaceGate | null> {
    if (plans.length === 0) return null;
    const prepared = plansChanged || previous === null ? new Map(plans.map((p) => [p.id, new PreparedPlan(p)])) : previous.plans;
    const covered = new Set<string>();
    for (const plan of prepared.values()) for (const id of plan.services) covered.add(id);
    const index = yield* SubscriptionIndex.build(subscriptions, previous?.subscriptions);
    // Periods cached under old plan objects would keep old terms: start them again.
    const periods = previous !== null && !plansChanged ? previous.periods : new Map<string, SubscriptionPeriod>();
    return new MarketplaceGate(prepared, covered, index, periods);
  }

  /** Admits the call or sets its refusal; a promise only when a counter store answers later. */
  admit(ctx: RequestContext): Promise<void> | undefined {
    const service = ctx.service;
    if (service === null || !this.covered.has(service.id)) return undefined;
    const now = Date.now();
    const period = ctx.consumer === null ? null : this.subscriptionFor(ctx.consumer.id, service.id, now, ctx.services.redisKeyPrefix);
    if (period === null) {
      ctx.exit(NOT_SUBSCRIBED);
      return undefined;
    }
    const store = planCounters(ctx.services);
    const terms = period.terms;
    if (terms.rateSlots.length === 0) return this.reserveQuota(ctx, store, period, now);
    const windows = terms.rateWindows(now);
    const counts = store.increment(period.rateKey, windows);
    if (!(counts instanceof Promise)) return this.afterRate(ctx, store, period, counts, now);
    return counts.then((settled) => this.afterRate(ctx, store, period, settled, now));
  }

  /** At the end of an admitted call: a 5xx the plan does not bill gives its quota back. */
  settle(ctx: RequestContext, status: number): void {
    const period = ctx.quotaHeld;
    ctx.quotaHeld = null;
    if (period === null || status < 500 || period.terms.bill5xx) return;
    void planCounters(ctx.services).increment(period.quotaKey, period.quotaWindows, -1);
  }

  private subscriptionFor(consumerId: string, serviceId: string, now: number, prefix: string): SubscriptionPeriod | null {
    const held = this.subscriptions.of(consumerId);
    for (let i = 0; i < held.length; i++) {
      const s = held[i]!;
      const plan = this.plans.get(s.plan.id);
      if (plan === undefined || !plan.services.has(serviceId) || !isActive(s, now)) continue;
      let period = this.periods.get(s.id);
      if (period === undefined || period.subscription !== s || now >= period.billing.end || now >= period.quotaEnd) {
        period = periodOf(s, plan, now, `${prefix}plan:`);
        this.periods.set(s.id, period);
      }
      return period;
    }
    return null;
  }

  private afterRate(ctx: RequestContext, store: WindowCounterStore, period: SubscriptionPeriod, counts: WindowCounts, now: number): Promise<void> | undefined {
    const terms = period.terms;
    const windows = terms.rateWindows(now);
    let exceeded = -1;
    let tightest = 0;
    let tightestRemaining = Infinity;
    for (let i = 0; i < windows.length; i++) {
      const slot = windows[i]!.slot;
      const remaining = Math.max(0, terms.rateLimits[slot]! - (counts[slot] ?? 0));
      if ((counts[slot] ?? 0) > terms.rateLimits[slot]! && exceeded < 0) exceeded = i;
      if (remaining <= tightestRemaining) {
        tightest = i;
        tightestRemaining = remaining;
      }
      ctx.addResponseHeader(LIMIT_HEADERS[slot]!, terms.rateLimitTexts[slot]!);
      ctx.addResponseHeader(REMAINING_HEADERS[slot]!, String(remaining));
    }
    const tight = windows[tightest]!;
    ctx.addResponseHeader('RateLimit-Limit', terms.rateLimitTexts[tight.slot]!);
    ctx.addResponseHeader('RateLimit-Remaining', String(tightestRemaining));
    ctx.addResponseHeader('RateLimit-Reset', String(secondsUntil(tight.end, now)));
    if (exceeded >= 0) {
      ctx.addResponseHeader('Retry-After', String(secondsUntil(windows[exceeded]!.end, now)));
      ctx.exit(RATE_LIMITED);
      return undefined;
    }
    return this.reserveQuota(ctx, store, period, now);
  }

  private reserveQuota(ctx: RequestContext, store: WindowCounterStore, period: SubscriptionPeriod, now: number): Promise<void> | undefined {
    if (period.terms.quotaLimit === 0) return undefined;
    const counts = store.increment(period.quotaKey, period.quotaWindows);
    if (!(counts instanceof Promise)) return this.afterQuota(ctx, store, period, counts[0]!, now);
    return counts.then((settled) => this.afterQuota(ctx, store, period, settled[0]!, now));
  }

  private afterQuota(ctx: RequestContext, store: WindowCounterStore, period: SubscriptionPeriod, count: number, now: number): undefined {
    const terms: PreparedTerms = period.terms;
    ctx.addResponseHeader(QUOTA_LIMIT, terms.quotaLimitText);
    ctx.addResponseHeader(QUOTA_REMAINING, String(Math.max(0, terms.quotaLimit - count)));
    ctx.addResponseHeader(QUOTA_RESET, String(secondsUntil(period.quotaEnd, now)));
    if (count > terms.quotaLimit && terms.blocks) {
      // Refused calls are not served: they do not spend the quota.
      void store.increment(period.quotaKey, period.quotaWindows, -1);
      ctx.exit(QUOTA_SPENT);
      return undefined;
    }
    ctx.quotaHeld = period;
    return undefined;
  }
}
