import { periodContaining, type BillingPeriod } from '@tollgate/billing';
import type { Plan, Subscription } from '@tollgate/config';
import type { CounterWindow } from '@tollgate/plugins';
import type { PreparedPlan, PreparedTerms } from './plan-terms';

/** A subscription's counters in its current period, rebuilt when the period or the subscription changes. */
export interface SubscriptionPeriod {
  readonly subscription: Subscription;
  readonly plan: PreparedPlan;
  readonly terms: PreparedTerms;
  readonly billing: BillingPeriod;
  /** The quota's window (the billing period, a UTC day or a UTC month) and when it ends. */
  readonly quotaWindows: readonly CounterWindow[];
  readonly quotaEnd: number;
  readonly quotaKey: string;
  readonly rateKey: string;
}

function quotaBounds(per: PreparedTerms['quotaPer'], billing: BillingPeriod, now: number): BillingPeriod {
  if (per === 'interval') return billing;
  const d = new Date(now);
  if (per === 'day') {
    const start = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
    return { start, end: start + 86_400_000 };
  }
  return { start: Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1), end: Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) };
}

/**
 * The period containing `now` of a subscription anchored at its current_period_start: data
 * planes roll periods on by themselves (the control plane need not be reachable at a period's
 * end), and each period runs on the plan terms in effect when it started.
 */
export function periodOf(subscription: Subscription, plan: PreparedPlan, now: number, keyPrefix: string): SubscriptionPeriod {
  const p: Plan = plan.plan;
  // A declarative file may leave the period out: periods then count from the epoch.
  const anchor = (subscription.current_period_start ?? 0) * 1000;
  const billing = now < anchor ? { start: anchor, end: (subscription.current_period_end ?? 0) * 1000 } : periodContaining(anchor, { interval: p.interval, intervalCount: p.interval_count }, now);
  const terms = plan.termsFor(Math.floor(billing.start / 1000));
  const quota = quotaBounds(terms.quotaPer, billing, now);
  return {
    subscription,
    plan,
    terms,
    billing,
    quotaWindows: [{ slot: 0, name: 'quota', start: quota.start, ttlMs: quota.end - quota.start }],
    quotaEnd: quota.end,
    quotaKey: `${keyPrefix}quota:${subscription.id}`,
    rateKey: `${keyPrefix}rate:${subscription.id}`,
  };
}

/** Active now: not canceled, and not past the end of a period it was to end with. */
export function isActive(subscription: Subscription, now: number): boolean {
  return subscription.status === 'active' && !(subscription.cancel_at_period_end && now >= subscription.current_period_end * 1000);
}
