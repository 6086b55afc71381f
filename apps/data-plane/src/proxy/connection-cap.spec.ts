import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectionCap, descriptorLimit } from './connection-cap';

describe('client connection cap', () => {
  it('reads the soft descriptor limit of /proc/self/limits', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tollgate-limits-'));
    const file = join(dir, 'limits');
    writeFileSync(file, 'Limit                     Soft Limit           Hard Limit           Units\nMax open files            1024                 524288               files\n');
    expect(descriptorLimit(file)).toBe(1024);
    writeFileSync(file, 'Max open files            unlimited            unlimited            files\n');
    expect(descriptorLimit(file)).toBeNull();
    expect(descriptorLimit(join(dir, 'missing'))).toBeNull();
    rmSync(dir, { recursive: true, force: true });
    expect(descriptorLimit()).toBeGreaterThan(0);
  });

  it('leaves each worker half of its descriptors past the reserve (the other half reaches upstreams)', () => {
    expect(connectionCap({ workerConnections: null, maxConnections: null, processes: 2, descriptors: 1024 })).toEqual({
      connections: 448,
      reason: 'descriptors',
      exceedsDescriptors: false,
    });
    expect(connectionCap({ workerConnections: null, maxConnections: null, processes: 1, descriptors: null }).reason).toBe('none');
  });

  it('takes TOLLGATE_WORKER_CONNECTIONS as given, flagging one beyond the descriptor limit', () => {
    expect(connectionCap({ workerConnections: 100, maxConnections: null, processes: 2, descriptors: 1024 })).toMatchObject({ connections: 100, exceedsDescriptors: false });
    expect(connectionCap({ workerConnections: 5000, maxConnections: null, processes: 2, descriptors: 1024 })).toMatchObject({ connections: 5000, exceedsDescriptors: true });
  });

  it("gives each worker its share of TOLLGATE_MAX_CONNECTIONS when that is lower", () => {
    expect(connectionCap({ workerConnections: null, maxConnections: 301, processes: 2, descriptors: 1024 })).toMatchObject({ connections: 151, reason: 'max_connections' });
    expect(connectionCap({ workerConnections: 100, maxConnections: 10_000, processes: 2, descriptors: 1024 })).toMatchObject({ connections: 100, reason: 'worker_connections' });
  });
});
