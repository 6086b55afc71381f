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

  it('refuses an admin API off loopback while no admin tokens exist', () => {
    expect(() => readControlPlaneSettings({ TOLLGATE_ADMIN_LISTEN: '0.0.0.0:8001' })).toThrow(/not a loopback address/);
    expect(readControlPlaneSettings({ TOLLGATE_ADMIN_LISTEN: '[::1]:9001' })).toMatchObject({ adminHost: '::1', adminPort: 9001 });
  });

  it.each([
    [{ TOLLGATE_ADMIN_LISTEN: '8001' }, /TOLLGATE_ADMIN_LISTEN: expected host:port/],
    [{ TOLLGATE_CLUSTER_LISTEN: '0.0.0.0:99999' }, /TOLLGATE_CLUSTER_LISTEN/],
    [{ TOLLGATE_DATABASE_SCHEMA: 'Robert"; DROP' }, /TOLLGATE_DATABASE_SCHEMA/],
    [{ TOLLGATE_CLUSTER_MTLS: 'maybe' }, /TOLLGATE_CLUSTER_MTLS: expected shared, pki or off/],
    [{ TOLLGATE_CHANGE_LOG_VERSIONS: '0' }, /TOLLGATE_CHANGE_LOG_VERSIONS: expected a positive integer/],
  ])('names the variable at fault: %j', (env, message) => {
    expect(() => readControlPlaneSettings(env)).toThrow(message);
  });
});
