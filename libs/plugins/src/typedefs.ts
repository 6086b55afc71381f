import type { EntityCheck, FieldMap, FieldSchema } from '@tollgate/config';

/** Shared field definitions, like Kong's `kong.db.schema.typedefs`. */

export const BUNDLED_PLUGIN_VERSION = '1.0.0';

export const PROTOCOLS_HTTP: readonly string[] = ['grpc', 'grpcs', 'http', 'https'];

export const anonymous: FieldSchema = {
  type: 'string',
  nullable: true,
  description:
    'Consumer id or username to run as when authentication fails; when null the request fails with 401.',
};

export function stringArray(description: string, elements: FieldSchema = { type: 'string' }): FieldSchema {
  return { type: 'array', elements, default: [], required: true, description };
}

/**
 * A record whose default carries its sub-fields' defaults (null where there is none), so an
 * omitted record reads the same as `{}` would after validation.
 */
export function record(description: string, fields: FieldMap, entityChecks?: readonly EntityCheck[]): FieldSchema {
  const defaults: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(fields)) defaults[name] = field.default ?? null;
  return { type: 'record', fields, default: defaults, required: true, description, entity_checks: entityChecks };
}

const TIMEOUT_RANGE: readonly [number, number] = [0, 2 ** 31 - 2];

function timeout(description: string): FieldSchema {
  return { type: 'integer', between: TIMEOUT_RANGE, default: 2000, description };
}

/** Kong 3.x's shared Redis connection record (`kong/tools/redis/schema.lua`). */
export const redis: FieldSchema = record('Redis connection used when `policy` is `redis`.', {
  host: { type: 'string', check: 'host', nullable: true, description: 'Host name or IP address of the Redis server.' },
  port: { type: 'integer', between: [0, 65535], default: 6379, description: 'Port of the Redis server.' },
  timeout: timeout('Connect, send and read timeout in milliseconds.'),
  connect_timeout: timeout('Connect timeout in milliseconds.'),
  send_timeout: timeout('Send timeout in milliseconds.'),
  read_timeout: timeout('Read timeout in milliseconds.'),
  username: { type: 'string', nullable: true, description: 'Username for Redis ACL authentication (Redis 6+).' },
  password: {
    type: 'string',
    len_min: 0,
    nullable: true,
    encrypted: true,
    description: 'Password for Redis authentication.',
  },
  database: { type: 'integer', default: 0, description: 'Redis database number.' },
  ssl: { type: 'boolean', default: false, description: 'Connect to Redis over TLS.' },
  ssl_verify: { type: 'boolean', default: false, description: "Verify the Redis server's TLS certificate." },
  server_name: { type: 'string', check: 'sni', nullable: true, description: 'SNI server name used for TLS.' },
});
