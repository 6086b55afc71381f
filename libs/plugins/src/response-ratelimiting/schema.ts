import type { FieldSchema } from '@tollgate/config';
import type { PluginSchema } from '../plugin-schema';
import { RATE_PERIODS } from '../rate-limiting/rate-windows';
import { BUNDLED_PLUGIN_VERSION, PROTOCOLS_HTTP, redis } from '../typedefs';

const period = (name: string): FieldSchema => ({ type: 'number', gt: 0, nullable: true, description: `Units allowed per ${name}.` });

/** One named limit: units per period, at least one period set. */
const limit: FieldSchema = {
  type: 'record',
  required: true,
  description: 'Units of this limit allowed per period.',
  fields: Object.fromEntries(RATE_PERIODS.map((p) => [p, period(p)])),
  entity_checks: [{ at_least_one_of: [...RATE_PERIODS] }],
};

export const responseRatelimitingSchema: PluginSchema = {
  name: 'response-ratelimiting',
  version: BUNDLED_PLUGIN_VERSION,
  priority: 900,
  phases: ['access', 'response', 'log'],
  protocols: PROTOCOLS_HTTP,
  config: {
    header_name: {
      type: 'string',
      check: 'header_name',
      default: 'x-kong-limit',
      description: 'Response header by which the upstream says how many units of each limit a call used (`sms=1, emails=2`).',
    },
    limit_by: {
      type: 'string',
      one_of: ['consumer', 'credential', 'ip'],
      default: 'consumer',
      description: 'What the limits count per: the consumer or credential, falling back to the client ip.',
    },
    policy: {
      type: 'string',
      one_of: ['local', 'cluster', 'redis'],
      default: 'local',
      description: 'Where counters live: in the node (local) or Redis (redis); cluster is refused on data planes.',
    },
    fault_tolerant: {
      type: 'boolean',
      default: true,
      required: true,
      description: 'Proxy requests when the counter store is unreachable instead of answering 500.',
    },
    redis,
    block_on_first_violation: {
      type: 'boolean',
      default: false,
      required: true,
      description: 'Refuse a request with 429 in access as soon as any limit is used up.',
    },
    hide_client_headers: {
      type: 'boolean',
      default: false,
      required: true,
      description: 'Do not send the X-RateLimit-Limit/Remaining-{name}-{period} headers.',
    },
    limits: {
      type: 'map',
      required: true,
      len_min: 1,
      keys: { type: 'string', check: 'header_name' },
      values: limit,
      description: 'Named limits, each with units per second, minute, hour, day, month or year.',
    },
  },
  config_checks: [
    { conditional: { if_field: 'policy', if_match: { eq: 'redis' }, then_field: 'redis.host', then_match: { required: true } } },
  ],
};
