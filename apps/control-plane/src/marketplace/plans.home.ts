import { isCurrency } from '@tollgate/billing';
import { isPlainObject, isUuid, plans, type FieldErrors } from '@tollgate/config';
import { defineHome } from '../entities/entity-home';
import type { EntityOf } from '../entities/entity-type';
import { withOrganization } from '../organizations/organization-field';
import type { EntityManager } from 'typeorm';
import { schemaViolation } from '../entities/entity-errors';
import { versionPlanTerms } from './plan-terms';

const definition = withOrganization(plans);

/** A plan as the admin API shows it. */
export type PlanRow = EntityOf<typeof plans.fields> & { readonly organization: { id: string } | null };

/** `overage` is "block" or {price_per_1000: integer minor units}; nothing else, no floats. */
function checkOverage(overage: unknown, errors: FieldErrors): void {
  if (overage === 'block') return;
  if (!isPlainObject(overage) || Object.keys(overage).some((k) => k !== 'price_per_1000')) {
    errors.overage = 'expected "block" or {"price_per_1000": integer minor units}';
    return;
  }
  const price = overage.price_per_1000;
  if (!Number.isSafeInteger(price) || (price as number) < 0 || (price as number) > 2_147_483_647) {
    errors.overage = { price_per_1000: 'expected an integer of minor units between 0 and 2147483647' };
  }
}

function checkServices(services: unknown, errors: FieldErrors): void {
  const list = (services as { id: unknown }[] | undefined) ?? [];
  const bad = list.findIndex((s) => !isUuid(s.id));
  if (bad >= 0) errors.services = `element ${bad + 1}: id must be a valid UUID`;
}

/**
 * A plan gates its services (callers without a subscription get 403): it may name only services
 * that exist and belong to the plan's own organization, or one provider could close another's API.
 */
async function checkServicesOwned(db: EntityManager, plan: Record<string, unknown>): Promise<void> {
  const ids = (plan.services as { id: string }[]).map((s) => s.id);
  const organization = (plan.organization as { id: string } | null)?.id ?? null;
  const rows: { id: string; organization_id: string | null }[] = await db.query(`SELECT id, organization_id FROM services WHERE id = ANY($1::uuid[])`, [ids]);
  const found = new Map(rows.map((r) => [r.id, r.organization_id]));
  const bad = ids.findIndex((id) => !found.has(id) || found.get(id) !== organization);
  if (bad < 0) return;
  const why = found.has(ids[bad]!) ? "belongs to another organization than the plan's" : 'does not exist';
  throw schemaViolation({ services: `element ${bad + 1}: service ${ids[bad]} ${why}` });
}

export const plansHome = defineHome({
  definition,
  tenancy: { kind: 'owned' },
  rules: {
    check(value, _ctx, errors) {
      if (!isCurrency(value.currency)) errors.currency = 'expected an ISO 4217 currency code (USD, EUR, JPY, ...)';
      checkOverage(value.overage, errors);
      checkServices(value.services, errors);
      const limits = value.rate_limit as Record<string, number | null> | null;
      if (limits && limits.second == null && limits.minute == null && limits.hour == null) {
        errors.rate_limit = 'at least one of these fields must be non-empty: second, minute, hour';
      }
    },
    async beforeStore(db, value, existing) {
      await checkServicesOwned(db, value);
      await versionPlanTerms(db, value, existing);
    },
  },
});
