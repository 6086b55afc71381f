import { periodStart, type BillingInterval } from '@tollgate/billing';
import type { EntityManager } from 'typeorm';
import { schemaViolation } from '../entities/entity-errors';

const nowSeconds = () => Math.floor(Date.now() / 1000);

/**
 * A new subscription starts its first period now, as long as its plan's interval; a stored one
 * keeps its period and plan (a change of plan is a cancel and a new subscription), and becoming
 * canceled stamps `canceled_at`. A canceled subscription stays canceled.
 */
export async function placeSubscription(db: EntityManager, value: Record<string, unknown>, existing: Record<string, unknown> | null): Promise<void> {
  if (existing !== null) return keepPeriod(value, existing);
  const planId = (value.plan as { id: string }).id;
  const [plan] = (await db.query(`SELECT "interval", interval_count FROM plans WHERE id = $1`, [planId])) as { interval: BillingInterval; interval_count: number }[];
  const start = nowSeconds();
  const end = periodStart(start * 1000, { interval: plan!.interval, intervalCount: plan!.interval_count }, 1);
  value.current_period_start = start;
  value.current_period_end = Math.floor(end / 1000);
  value.canceled_at = value.status === 'canceled' ? start : null;
}

function keepPeriod(value: Record<string, unknown>, existing: Record<string, unknown>): void {
  if ((value.plan as { id: string }).id !== existing.plan_id) {
    throw schemaViolation({ plan: 'cannot be changed: cancel this subscription and subscribe to the other plan' });
  }
  if ((value.consumer as { id: string }).id !== existing.consumer_id) throw schemaViolation({ consumer: 'cannot be changed' });
  if (existing.status === 'canceled' && value.status !== 'canceled') {
    throw schemaViolation({ status: 'a canceled subscription cannot be reactivated: create a new one' });
  }
  value.current_period_start = existing.current_period_start;
  value.current_period_end = existing.current_period_end;
  value.canceled_at = value.status === 'canceled' ? ((existing.canceled_at as number | null) ?? nowSeconds()) : null;
}
