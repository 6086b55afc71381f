import { readControlPlaneSettings } from './settings';

describe('readControlPlaneSettings', () => {
  it('has the documented defaults', () => {
    expect(readControlPlaneSettings({})).toMatchObject({
      databaseUrl: 'postgres://postgres@127.0.0.1:5432/tollgate',
      databaseSchema: 'public',
      adminHost: '127.0.0.1',
      adminPort: 8001,
      clusterHost: '0.0.0.0',
      clusterPort: 8005,
      clusterTls: { mode: 'shared' },
      retainedVersions: 10000,
    });
  });

  it('has the documented usage defaults: local Redis, a 4-batch worker, rolls every 5 s, 48 h of minute rollups', () => {
    expect(readControlPlaneSettings({})).toMatchObject({
      redisUrl: 'redis://127.0.0.1:6379',
      redisKeyPrefix: 'tollgate:',
      usageWorkerConcurrency: 4,
      usageLockMs: 30_000,
      usageRollIntervalMs: 5000,
      usageMinuteRetentionMs: 48 * 3_600_000,
      usageBatchIdRetentionMs: 35 * 86_400_000,
    });
    expect(readControlPlaneSettings({ TOLLGATE_USAGE_WORKER_CONCURRENCY: '0' }).usageWorkerConcurrency).toBe(0);
    expect(readControlPlaneSettings({ TOLLGATE_USAGE_LOCK_DURATION: '2' }).usageLockMs).toBe(2000);
    expect(readControlPlaneSettings({ TOLLGATE_USAGE_ROLL_INTERVAL: '0' }).usageRollIntervalMs).toBe(0);
  });

  it('reads the admin host names and allowed origins as comma lists, normalized', () => {
    expect(readControlPlaneSettings({})).toMatchObject({ adminHosts: [], adminAllowOrigins: [] });
    const settings = readControlPlaneSettings({
      TOLLGATE_ADMIN_HOSTS: 'Admin.Internal, cp.example.com., [fd00::1]',
      TOLLGATE_ADMIN_ALLOW_ORIGINS: 'https://Dashboard.example.com,http://localhost:3000/',
    });
    expect(settings.adminHosts).toEqual(['admin.internal', 'cp.example.com', 'fd00::1']);
    expect(settings.adminAllowOrigins).toEqual(['https://dashboard.example.com', 'http://localhost:3000']);
  });

  it.each([
    [{ TOLLGATE_ADMIN_HOSTS: 'http://admin.internal' }, /TOLLGATE_ADMIN_HOSTS: expected host names without scheme or port/],
    [{ TOLLGATE_ADMIN_HOSTS: 'admin.internal:8001' }, /TOLLGATE_ADMIN_HOSTS/],
    [{ TOLLGATE_ADMIN_ALLOW_ORIGINS: 'dashboard.example.com' }, /TOLLGATE_ADMIN_ALLOW_ORIGINS: expected origins like/],
    [{ TOLLGATE_ADMIN_ALLOW_ORIGINS: 'https://dashboard.example.com/app' }, /TOLLGATE_ADMIN_ALLOW_ORIGINS/],
    [{ TOLLGATE_ADMIN_ALLOW_ORIGINS: '*' }, /TOLLGATE_ADMIN_ALLOW_ORIGINS/],
  ])('refuses malformed admin host and origin lists: %j', (env, message) => {
    expect(() => readControlPlaneSettings(env)).toThrow(message);
  });

  it('reads an admin API off loopback (the start refuses it until a token exists) and a bootstrap token', () => {
    expect(readControlPlaneSettings({ TOLLGATE_ADMIN_LISTEN: '0.0.0.0:8001' })).toMatchObject({ adminHost: '0.0.0.0', adminBootstrapToken: null });
    const token = 'tgk_' + 'A'.repeat(43);
    expect(readControlPlaneSettings({ TOLLGATE_ADMIN_BOOTSTRAP_TOKEN: token }).adminBootstrapToken).toBe(token);
    expect(() => readControlPlaneSettings({ TOLLGATE_ADMIN_BOOTSTRAP_TOKEN: 'hunter2' })).toThrow(/TOLLGATE_ADMIN_BOOTSTRAP_TOKEN: expected tgk_/);
    expect(readControlPlaneSettings({ TOLLGATE_ADMIN_LISTEN: '[::1]:9001' })).toMatchObject({ adminHost: '::1', adminPort: 9001 });
  });

  it.each([
    [{ TOLLGATE_ADMIN_LISTEN: '8001' }, /TOLLGATE_ADMIN_LISTEN: expected host:port/],
    [{ TOLLGATE_CLUSTER_LISTEN: '0.0.0.0:99999' }, /TOLLGATE_CLUSTER_LISTEN/],
    [{ TOLLGATE_DATABASE_SCHEMA: 'Robert"; DROP' }, /TOLLGATE_DATABASE_SCHEMA/],
    [{ TOLLGATE_CLUSTER_MTLS: 'maybe' }, /TOLLGATE_CLUSTER_MTLS: expected shared, pki or off/],
    [{ TOLLGATE_CHANGE_LOG_VERSIONS: '0' }, /TOLLGATE_CHANGE_LOG_VERSIONS: expected a positive integer/],
    [{ REDIS_URL: '127.0.0.1:6379' }, /REDIS_URL: expected a redis:\/\/ or rediss:\/\/ URL/],
    [{ TOLLGATE_USAGE_WORKER_CONCURRENCY: '-1' }, /TOLLGATE_USAGE_WORKER_CONCURRENCY: expected an integer from 0 to 64/],
    [{ TOLLGATE_USAGE_MINUTE_RETENTION_HOURS: '0' }, /TOLLGATE_USAGE_MINUTE_RETENTION_HOURS/],
    [{ TOLLGATE_USAGE_LOCK_DURATION: '0' }, /TOLLGATE_USAGE_LOCK_DURATION: expected an integer from 1 to 600/],
    [{ TOLLGATE_USAGE_ROLL_INTERVAL: '5s' }, /TOLLGATE_USAGE_ROLL_INTERVAL: expected an integer from 0 to 3600/],
  ])('names the variable at fault: %j', (env, message) => {
    expect(() => readControlPlaneSettings(env)).toThrow(message);
  });
});
