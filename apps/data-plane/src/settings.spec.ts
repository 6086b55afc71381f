import { availableParallelism } from 'node:os';
import { readDataPlaneSettings } from './settings';

describe('data-plane settings', () => {
  it('defaults to the documented addresses', () => {
    const settings = readDataPlaneSettings({ TOLLGATE_NODE_NAME: 'dp1' });
    expect(settings).toMatchObject({
      proxyListen: { host: '0.0.0.0', port: 8000 },
      proxySslListen: { host: '0.0.0.0', port: 8443 },
      statusListen: { host: '127.0.0.1', port: 8100 },
      controlPlane: { host: '127.0.0.1', port: 8005 },
      region: 'default',
      prefix: '.tollgate/dp1',
      declarativeConfig: null,
      workers: availableParallelism(),
      redisUrl: 'redis://127.0.0.1:6379',
    });
    expect(Object.isFrozen(settings)).toBe(true);
  });

  it('reads every variable, and `off` turns a listener off', () => {
    const settings = readDataPlaneSettings({
      TOLLGATE_PROXY_LISTEN: '[::1]:9000',
      TOLLGATE_PROXY_SSL_LISTEN: 'off',
      TOLLGATE_STATUS_LISTEN: 'off',
      TOLLGATE_REGION: 'eu-west',
      TOLLGATE_PREFIX: '/var/lib/tollgate',
      TOLLGATE_DECLARATIVE_CONFIG: '/etc/kong.yml',
      TOLLGATE_WORKERS: '0',
      REDIS_URL: 'rediss://cache:6380',
    });
    expect(settings).toMatchObject({
      proxyListen: { host: '::1', port: 9000 },
      proxySslListen: null,
      statusListen: null,
      region: 'eu-west',
      prefix: '/var/lib/tollgate',
      declarativeConfig: '/etc/kong.yml',
      workers: 0,
      redisUrl: 'rediss://cache:6380',
    });
  });

  it('names the variable at fault', () => {
    expect(() => readDataPlaneSettings({ TOLLGATE_PROXY_LISTEN: '8000' })).toThrow(/^TOLLGATE_PROXY_LISTEN: expected host:port/);
    expect(() => readDataPlaneSettings({ TOLLGATE_STATUS_LISTEN: 'x:99999' })).toThrow(/^TOLLGATE_STATUS_LISTEN/);
    expect(() => readDataPlaneSettings({ TOLLGATE_WORKERS: 'many' })).toThrow(/^TOLLGATE_WORKERS: expected an integer/);
    expect(() => readDataPlaneSettings({ TOLLGATE_HEADERS: 'server_tokens, X-Foo' })).toThrow("TOLLGATE_HEADERS: invalid entry 'X-Foo'");
    expect(() => readDataPlaneSettings({ TOLLGATE_HEADERS_UPSTREAM: 'Server' })).toThrow("TOLLGATE_HEADERS_UPSTREAM: invalid entry 'Server'");
    expect(() => readDataPlaneSettings({ TOLLGATE_REGION: 'EU West' })).toThrow(/^TOLLGATE_REGION/);
    expect(() => readDataPlaneSettings({ REDIS_URL: 'localhost:6379' })).toThrow(/^REDIS_URL/);
    expect(() => readDataPlaneSettings({ TOLLGATE_CONTROL_PLANE: 'cp' })).toThrow(/^TOLLGATE_CONTROL_PLANE/);
  });

  it('runs standalone without a control plane, and reads cluster TLS and labels', () => {
    expect(readDataPlaneSettings({ TOLLGATE_CONTROL_PLANE: 'off' }).controlPlane).toBeNull();
    expect(readDataPlaneSettings({ TOLLGATE_CONTROL_PLANE: '' }).controlPlane).toBeNull();
    expect(readDataPlaneSettings({}).clusterTls).toMatchObject({ mode: 'shared', certFile: '.tollgate/cluster/cluster.crt', keyFile: '.tollgate/cluster/cluster.key' });
    expect(readDataPlaneSettings({ TOLLGATE_CLUSTER_MTLS: 'pki', TOLLGATE_CLUSTER_CERT: 'dp.crt', TOLLGATE_CLUSTER_CERT_KEY: 'dp.key', TOLLGATE_CLUSTER_CA_CERT: 'ca.crt' }).clusterTls).toEqual({
      mode: 'pki',
      certFile: 'dp.crt',
      keyFile: 'dp.key',
      caFile: 'ca.crt',
    });
    expect(readDataPlaneSettings({ TOLLGATE_LABELS: 'zone=a, tier=edge' }).labels).toEqual({ zone: 'a', tier: 'edge' });
    expect(() => readDataPlaneSettings({ TOLLGATE_LABELS: 'zone' })).toThrow(/^TOLLGATE_LABELS/);
    expect(() => readDataPlaneSettings({ TOLLGATE_CLUSTER_MTLS: 'yes' })).toThrow(/^TOLLGATE_CLUSTER_MTLS/);
  });

  it('meters by default, into the control plane\'s Redis key prefix; TOLLGATE_USAGE=off turns metering off', () => {
    expect(readDataPlaneSettings({})).toMatchObject({
      redisKeyPrefix: 'tollgate:',
      usage: { enabled: true, flushIntervalMs: 5000, maxJournalBytes: 256 * 1024 * 1024 },
    });
    const tuned = readDataPlaneSettings({ TOLLGATE_USAGE: 'off', TOLLGATE_USAGE_FLUSH_INTERVAL: '1', TOLLGATE_REDIS_KEY_PREFIX: 'acme:' });
    expect(tuned).toMatchObject({ redisKeyPrefix: 'acme:', usage: { enabled: false, flushIntervalMs: 1000 } });
    expect(readDataPlaneSettings({ TOLLGATE_USAGE: 'on' }).usage.enabled).toBe(true);
    expect(() => readDataPlaneSettings({ TOLLGATE_USAGE: 'no' })).toThrow(/^TOLLGATE_USAGE: expected on or off/);
    expect(() => readDataPlaneSettings({ TOLLGATE_USAGE_FLUSH_INTERVAL: '0' })).toThrow(/^TOLLGATE_USAGE_FLUSH_INTERVAL/);
  });
});
