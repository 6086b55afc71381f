import { validatePluginConfig } from '../validate-plugin-config';

const REDIS_DEFAULTS = {
  host: null,
  port: 6379,
  timeout: 2000,
  connect_timeout: 2000,
  send_timeout: 2000,
  read_timeout: 2000,
  username: null,
  password: null,
  database: 0,
  ssl: false,
  ssl_verify: false,
  server_name: null,
};

function entityErrors(config: Record<string, unknown>): unknown {
  const { errors } = validatePluginConfig('rate-limiting', config);
  return errors && (errors.config as Record<string, unknown>)['@entity'];
}

describe('rate-limiting schema', () => {
  it("fills Kong's defaults, the redis record included", () => {
    expect(validatePluginConfig('rate-limiting', { minute: 5 })).toEqual({
      value: {
        second: null,
        minute: 5,
        hour: null,
        day: null,
        month: null,
        year: null,
        limit_by: 'consumer',
        header_name: null,
        path: null,
        policy: 'local',
        fault_tolerant: true,
        redis: REDIS_DEFAULTS,
        hide_client_headers: false,
        error_code: 429,
        error_message: 'API rate limit exceeded',
        sync_rate: -1,
      },
      errors: null,
    });
  });

  it('coerces form strings, nested redis fields included', () => {
    const { value, errors } = validatePluginConfig(
      'rate-limiting',
      { minute: '5', hour: '100', policy: 'redis', redis: { host: 'redis.internal', port: '6380', ssl: 'true' } },
      { coerce: true },
    );
    expect(errors).toBeNull();
    expect(value).toMatchObject({ minute: 5, hour: 100, redis: { host: 'redis.internal', port: 6380, ssl: true } });
  });

  it('refuses limits that are not positive numbers, and unknown policies', () => {
    expect(validatePluginConfig('rate-limiting', { second: 0, minute: '5', policy: 'memcached' }).errors).toEqual({
      config: {
        second: 'value must be greater than 0',
        minute: 'expected a number',
        policy: 'expected one of: local, cluster, redis',
      },
    });
  });

  it('requires at least one limit', () => {
    expect(entityErrors({})).toEqual([
      "at least one of these fields must be non-empty: 'second', 'minute', 'hour', 'day', 'month', 'year'",
    ]);
  });

  it('requires header_name when limiting by header, and path when limiting by path', () => {
    expect(entityErrors({ minute: 1, limit_by: 'header' })).toEqual([
      "failed conditional validation given value of field 'limit_by': header_name: required field missing",
    ]);
    expect(entityErrors({ minute: 1, limit_by: 'path' })).toEqual([
      "failed conditional validation given value of field 'limit_by': path: required field missing",
    ]);
    expect(entityErrors({ minute: 1, limit_by: 'header', header_name: 'X-Tenant' })).toBeNull();
  });

  it('requires redis.host when the policy is redis', () => {
    expect(entityErrors({ minute: 1, policy: 'redis', redis: { port: 6379 } })).toEqual([
      "failed conditional validation given value of field 'policy': redis.host: required field missing",
    ]);
    expect(entityErrors({ minute: 1, policy: 'redis', redis: { host: '10.0.0.5' } })).toBeNull();
  });

  it('reports a bad redis field once, without a conditional error on top', () => {
    expect(validatePluginConfig('rate-limiting', { minute: 1, policy: 'redis', redis: { host: 'bad host' } }).errors).toEqual({
      config: { redis: { host: 'invalid hostname: bad host' } },
    });
  });

  it("accepts Kong's older flat redis_* names", () => {
    const { value, errors } = validatePluginConfig('rate-limiting', {
      minute: 1,
      policy: 'redis',
      redis_host: 'redis.internal',
      redis_port: 6380,
    });
    expect(errors).toBeNull();
    expect(value.redis).toEqual({ ...REDIS_DEFAULTS, host: 'redis.internal', port: 6380 });
    expect(value).not.toHaveProperty('redis_host');
  });

  it('prefers the nested redis field when both names are given', () => {
    const { value } = validatePluginConfig('rate-limiting', { minute: 1, redis_host: 'old', redis: { host: 'new' } });
    expect(value.redis).toMatchObject({ host: 'new' });
  });

  it('rejects unknown fields inside the redis record', () => {
    expect(validatePluginConfig('rate-limiting', { minute: 1, redis: { hostname: 'x' } }).errors).toEqual({
      config: { redis: { hostname: 'unknown field' } },
    });
  });
});
