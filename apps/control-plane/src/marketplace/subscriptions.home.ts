import { subscriptions } from '@tollgate/config';
import { defineHome } from '../entities/entity-home';
import type { EntityOf } from '../entities/entity-type';
import { placeSubscription } from './subscription-periods';

/** A subscription as the admin API shows it. */
export type SubscriptionRow = EntityOf<typeof subscriptions.fields>;

/**
 * Subscriptions belong to their plan's organization: a provider sees its plans' subscriptions,
 * and subscribes a consumer (by id or username) to its own plans only.
 */
export const subscriptionsHome = defineHome({
  definition: subscriptions,
  tenancy: { kind: 'inherited', field: 'plan', parent: 'plans' },
  rules: { beforeStore: placeSubscription, referencesAnyTenant: ['consumer'] },
});
