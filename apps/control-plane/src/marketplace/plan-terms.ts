import { canonicalJson, type PlanTermsVersion } from '@tollgate/config';
import type { EntityManager } from 'typeorm';

/** Earlier versions a plan carries to data planes: enough for any period still running. */
export const TERMS_HISTORY_KEPT = 12;

type Terms = Omit<PlanTermsVersion, 'version' | 'effective_at'>;

function termsOf(plan: Record<string, unknown>): Terms {
  return {
    price: plan.price as number,
    quota: (plan.quota as Terms['quota']) ?? null,
    overage: plan.overage as Terms['overage'],
    rate_limit: (plan.rate_limit as Terms['rate_limit']) ?? null,
    bill_5xx: plan.bill_5xx as boolean,
  };
}

function sameTerms(a: Terms, b: Terms): boolean {
  // jsonb hands records back with their keys reordered: compare canonical forms.
  return canonicalJson(a) === canonicalJson(b);
}

/**
 * A plan write whose enforcement or price terms changed starts a new version, effective now:
 * periods that started earlier keep the version they started with (the data plane picks a
 * period's terms by its start), so an invoice can always be recomputed from `plan_versions`.
 */
export async function versionPlanTerms(db: EntityManager, plan: Record<string, unknown>, existing: Record<string, unknown> | null): Promise<void> {
  const terms = termsOf(plan);
  if (existing !== null && sameTerms(terms, termsOf(existing))) {
    plan.terms_version = existing.terms_version;
    plan.terms_history = existing.terms_history ?? [];
    return;
  }
  const version = existing === null ? 1 : (existing.terms_version as number) + 1;
  const effectiveAt = Math.floor(Date.now() / 1000);
  const earlier: PlanTermsVersion[] =
    existing === null
      ? []
      : [
          { version: existing.terms_version as number, effective_at: existing.terms_effective_at as number, ...termsOf(existing) },
          ...((existing.terms_history as PlanTermsVersion[] | null) ?? []),
        ];
  plan.terms_version = version;
  plan.terms_history = earlier.slice(0, TERMS_HISTORY_KEPT);
  plan.terms_effective_at = effectiveAt;
  await db.query(`INSERT INTO plan_versions (plan_id, version, effective_at, terms) VALUES ($1, $2, $3, $4)`, [
    plan.id,
    version,
    effectiveAt,
    JSON.stringify({ ...terms, currency: plan.currency, interval: plan.interval, interval_count: plan.interval_count }),
  ]);
}
