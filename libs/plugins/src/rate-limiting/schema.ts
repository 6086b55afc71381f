import type { FieldSchema } from '@tollgate/config';
import type { PluginSchema } from '../plugin-schema';
import { BUNDLED_PLUGIN_VERSION, PROTOCOLS_HTTP, redis } from '../typedefs';

function limit(period: string): FieldSchema {
  return { type: 'number', gt: 0, nullable: true, description: `Requests allowed per ${period}.` };
}

/** Kong 3.x still accepts the pre-3.6 flat `redis_*` names. */
const REDIS_SHORTHANDS: Readonly<Record<string, string>> = Object.fromEntries(
  ['host', 'port', 'timeout', 'username', 'password', 'database', 'ssl', 'ssl_verify', 'server_name'].map((f) => [
    `redis_${f}`,
    `redis.${f}`,
  ]),
);

export const rateLimitingSchema: PluginSchema = {
  name: 'rate-limiting',
  version: BUNDLED_PLUGIN_VERSION,
  priority: 910,
  phases: ['access'],
  protocols: PROTOCOLS_HTTP,
  config: {
    second: limit('second'),
    minute: limit('minute'),
    hour: limit('hour'),
    day: limit('day'),
    month: limit('month'),
    year: limit('year'),
    limit_by: {
      type: 'string',
      one_of: ['consumer', 'credential', 'ip', 'service', 'header', 'path'],
      default: 'consumer',
      required: true,
      description: 'What a counter is kept per; falls back to ip when the consumer or credential is unknown.',
    },
    header_name: {
      type: 'string',
      check: 'header_name',
      nullable: true,
      description: 'Header whose value is counted when limit_by is header.',
    },
    path: { type: 'string', check: 'path', nullable: true, description: 'Path counted when limit_by is path.' },
    policy: {
      type: 'string',
      one_of: ['local', 'cluster', 'redis'],
      default: 'local',
      required: true,
      description: 'Where counters live: in the node (local), the database (cluster) or Redis (redis).',
    },
    fault_tolerant: {
      type: 'boolean',
      default: true,
      required: true,
      description: 'Proxy requests when the counter store is unreachable instead of answering 500.',
    },
    redis,
    hide_client_headers: {
      type: 'boolean',
      default: false,
      required: true,
      description: 'Do not send the RateLimit and X-RateLimit headers to the client.',
    },
    error_code: { type: 'number', gt: 0, default: 429, description: 'Status answered when a limit is exceeded.' },
    error_message: {
      type: 'string',
      default: 'API rate limit exceeded',
      description: 'Message answered when a limit is exceeded.',
    },
    sync_rate: {
      type: 'number',
      default: -1,
      required: true,
      description: 'Seconds between syncs of local counters to Redis; -1 counts synchronously.',
    },
  },
  config_checks: [
    { at_least_one_of: ['second', 'minute', 'hour', 'day', 'month', 'year'] },
    { conditional: { if_field: 'limit_by', if_match: { eq: 'header' }, then_field: 'header_name', then_match: { required: true } } },
    { conditional: { if_field: 'limit_by', if_match: { eq: 'path' }, then_field: 'path', then_match: { required: true } } },
    { conditional: { if_field: 'policy', if_match: { eq: 'redis' }, then_field: 'redis.host', then_match: { required: true } } },
    { conditional: { if_field: 'policy', if_match: { eq: 'redis' }, then_field: 'redis.port', then_match: { required: true } } },
  ],
  shorthands: REDIS_SHORTHANDS,
};
