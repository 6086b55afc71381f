import { readEdgeSettings } from './edge-settings';

describe('edge settings', () => {
  it("defaults to Kong's 60 s client timeouts, caps from the descriptor limit", () => {
    expect(readEdgeSettings({})).toEqual({
      clientHeaderTimeoutMs: 60_000,
      clientBodyTimeoutMs: 60_000,
      keepAliveTimeoutMs: 60_000,
      workerConnections: null,
      maxConnections: null,
      clientBodyBufferBytes: 64 * 1024,
      proxyBufferBytes: 1024 * 1024,
    });
  });

  it('reads durations in s or ms (bare numbers are ms), counts and sizes', () => {
    const settings = readEdgeSettings({
      TOLLGATE_CLIENT_HEADER_TIMEOUT: '5s',
      TOLLGATE_CLIENT_BODY_TIMEOUT: '1500ms',
      TOLLGATE_CLIENT_KEEPALIVE_TIMEOUT: '0',
      TOLLGATE_WORKER_CONNECTIONS: '4096',
      TOLLGATE_MAX_CONNECTIONS: 'auto',
      TOLLGATE_CLIENT_BODY_BUFFER_SIZE: '8k',
      TOLLGATE_PROXY_BUFFER_SIZE: '2m',
    });
    expect(settings).toEqual({
      clientHeaderTimeoutMs: 5000,
      clientBodyTimeoutMs: 1500,
      keepAliveTimeoutMs: 0,
      workerConnections: 4096,
      maxConnections: null,
      clientBodyBufferBytes: 8192,
      proxyBufferBytes: 2 * 1024 * 1024,
    });
  });

  it('refuses malformed values, naming the variable', () => {
    expect(() => readEdgeSettings({ TOLLGATE_CLIENT_HEADER_TIMEOUT: '1m' })).toThrow(/TOLLGATE_CLIENT_HEADER_TIMEOUT: expected a duration/);
    expect(() => readEdgeSettings({ TOLLGATE_CLIENT_BODY_TIMEOUT: '-5' })).toThrow(/TOLLGATE_CLIENT_BODY_TIMEOUT/);
    expect(() => readEdgeSettings({ TOLLGATE_WORKER_CONNECTIONS: '0' })).toThrow(/TOLLGATE_WORKER_CONNECTIONS: expected a positive integer or auto/);
    expect(() => readEdgeSettings({ TOLLGATE_PROXY_BUFFER_SIZE: '1g' })).toThrow(/TOLLGATE_PROXY_BUFFER_SIZE/);
  });
});
