import type { FieldSchema } from '../schema/field';
import { defineEntity } from './entity-definition';

/** `minute` and `hour` exist for sandboxes and tests; real plans bill by day, week, month or year. */
export const PLAN_INTERVALS = ['minute', 'hour', 'day', 'week', 'month', 'year'] as const;
export const QUOTA_PERIODS = ['interval', 'day', 'month'] as const;
export const SUBSCRIPTION_STATUSES = ['active', 'canceled'] as const;

const MAX_MINOR = Number.MAX_SAFE_INTEGER;
/** Prices live in 32-bit integer columns, as Kong's numbers do. */
const MAX_PRICE = 2_147_483_647;
const count = (what: string): FieldSchema => ({ type: 'integer', nullable: true, between: [1, 1_000_000_000], description: what });

/** One enforcement version of a plan's terms, kept so a period runs on the terms it started with. */
const termsVersion: FieldSchema = {
  type: 'record',
  fields: {
    version: { type: 'integer', required: true, between: [1, MAX_MINOR] },
    effective_at: { type: 'integer', required: true, between: [0, MAX_MINOR], description: 'Unix seconds; periods starting from then use these terms' },
    price: { type: 'integer', required: true, between: [0, MAX_MINOR] },
    quota: { type: 'json', nullable: true },
    overage: { type: 'json', required: true },
    rate_limit: { type: 'json', nullable: true },
    bill_5xx: { type: 'boolean', required: true },
  },
};

export const plans = defineEntity({
  name: 'plans',
  endpointKey: 'name',
  fields: {
    name: { type: 'string', required: true, unique: true, check: 'name', len_max: 128, description: 'Unique name of the plan' },
    services: {
      type: 'array',
      required: true,
      len_min: 1,
      len_max: 1000,
      elements: { type: 'record', fields: { id: { type: 'string', required: true, description: 'Service id' } } },
      description: 'Services the plan covers: callers of these need a subscription to one of their plans',
    },
    currency: { type: 'string', required: true, len_min: 3, len_max: 3, description: 'ISO 4217 currency code of price and overage' },
    price: { type: 'integer', required: true, between: [0, MAX_PRICE], description: 'Price per interval, integer minor units (cents)' },
    interval: { type: 'string', required: true, one_of: PLAN_INTERVALS, description: 'Billing interval; minute and hour are for sandboxes and tests' },
    interval_count: { type: 'integer', default: 1, between: [1, 1000], description: 'Intervals per billing period' },
    quota: {
      type: 'record',
      nullable: true,
      fields: {
        limit: { type: 'integer', required: true, between: [1, MAX_MINOR], description: 'Requests included per quota period' },
        per: { type: 'string', default: 'interval', one_of: QUOTA_PERIODS, description: 'Quota period: the billing period, a UTC day or a UTC month' },
      },
      description: 'Included requests; null for unlimited',
    },
    overage: {
      type: 'json',
      default: 'block',
      description: '"block" (429 once the quota is spent) or {"price_per_1000": integer minor units} (calls go on, billed)',
    },
    rate_limit: {
      type: 'record',
      nullable: true,
      fields: { second: count('Requests per second'), minute: count('Requests per minute'), hour: count('Requests per hour') },
      description: 'Rate limits of a subscriber; null for none',
    },
    bill_5xx: { type: 'boolean', default: false, description: 'Upstream 5xx responses count against the quota' },
    public: { type: 'boolean', default: false, description: 'Listed for anyone to subscribe' },
    terms_version: { type: 'integer', auto: true, description: 'Version of the current terms; a price or quota change adds one' },
    terms_effective_at: { type: 'integer', auto: true, description: 'Unix seconds: periods starting from then use the current terms' },
    terms_history: {
      type: 'array',
      auto: true,
      elements: termsVersion,
      description: 'Earlier terms still in use by current periods, newest first (all versions are in plan_versions)',
    },
  },
});

const foreign = (reference: string, description: string, on_delete: 'cascade' | 'restrict'): FieldSchema => ({
  type: 'foreign',
  reference,
  on_delete,
  required: true,
  nested: false,
  description,
});
const unixTime = (what: string): FieldSchema => ({ type: 'integer', auto: true, description: `Unix seconds: ${what}` });

export const subscriptions = defineEntity({
  name: 'subscriptions',
  fields: {
    consumer: foreign('consumers', 'The subscribed consumer', 'cascade'),
    plan: foreign('plans', 'The plan subscribed to', 'restrict'),
    status: { type: 'string', default: 'active', one_of: SUBSCRIPTION_STATUSES, description: 'active, or canceled' },
    current_period_start: unixTime('start of the current billing period (set by the control plane)'),
    current_period_end: unixTime('end of the current billing period, exclusive'),
    canceled_at: { ...unixTime('when it was canceled'), nullable: true },
    cancel_at_period_end: { type: 'boolean', default: false, description: 'Ends when the current period does instead of renewing' },
  },
});
