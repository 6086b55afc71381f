import type { BillingCycle, PlanTerms } from '@tollgate/billing';
import type { EntityManager } from 'typeorm';

/** The terms a period was sold on: the plan version in effect when the period started. */
export interface PeriodTerms extends PlanTerms {
  readonly version: number;
  readonly bill5xx: boolean;
  readonly cycle: BillingCycle;
}

interface StoredTerms {
  price: number;
  currency: string;
  interval: BillingCycle['interval'];
  interval_count: number;
  quota: { limit: number; per?: string } | null;
  overage: 'block' | { price_per_1000: number };
  bill_5xx: boolean;
}

/**
 * Versions are looked up by the period's start, as data planes pick them, so a price changed
 * mid-period reaches the next period only. A period starting before version 1 (a subscription
 * placed the second its plan was created) takes version 1.
 */
export async function termsForPeriod(db: EntityManager, planId: string, periodStart: number): Promise<PeriodTerms> {
  const rows = (await db.query(
    `SELECT version, terms FROM plan_versions WHERE plan_id = $1
     ORDER BY (effective_at <= $2) DESC, CASE WHEN effective_at <= $2 THEN -version ELSE version END LIMIT 1`,
    [planId, periodStart],
  )) as { version: number; terms: StoredTerms }[];
  const row = rows[0];
  if (!row) throw new Error(`plan ${planId} has no terms versions`);
  const t = row.terms;
  return {
    version: row.version,
    currency: t.currency,
    price: t.price,
    quotaLimit: t.quota ? t.quota.limit : null,
    pricePer1000: typeof t.overage === 'object' && t.overage !== null ? t.overage.price_per_1000 : null,
    bill5xx: t.bill_5xx,
    cycle: { interval: t.interval, intervalCount: t.interval_count },
  };
}
