import { runSteps, type Subscription } from '@tollgate/config';
import { SubscriptionIndex } from './subscription-index';

function subscription(id: number, consumer: string, status: Subscription['status'] = 'active'): Subscription {
  return {
    id: `sub-${id}`,
    created_at: 1,
    updated_at: 1,
    tags: null,
    consumer: { id: consumer },
    plan: { id: 'plan' },
    status,
    current_period_start: 1,
    current_period_end: 2,
    canceled_at: null,
    cancel_at_period_end: false,
  };
}

describe('SubscriptionIndex', () => {
  const all = Array.from({ length: 5000 }, (_, i) => subscription(i, `c${i % 2500}`));

  it("finds a consumer's subscriptions", () => {
    const index = runSteps(SubscriptionIndex.build(all));
    expect(index.of('c7').map((s) => s.id)).toEqual(['sub-7', 'sub-2507']);
    expect(index.of('nobody')).toEqual([]);
  });

  it('a delta re-indexes what changed in place: an update, an addition and a deletion', () => {
    const index = runSteps(SubscriptionIndex.build(all));
    const canceled = subscription(7, 'c7', 'canceled');
    const next = [...all.slice(0, 7), canceled, ...all.slice(8, 2507), ...all.slice(2508), subscription(9999, 'c-new')];
    const updated = runSteps(SubscriptionIndex.build(next, index));
    expect(updated).toBe(index);
    expect(updated.of('c7')).toEqual([canceled]);
    expect(updated.of('c-new').map((s) => s.id)).toEqual(['sub-9999']);
    expect(updated.size).toBe(next.length);
  });
});
