/**
 * DATABASE_READ_URL: analytics reads go to a read-only streaming replica (pg_basebackup of a
 * private primary, both the test's own), writes to the primary. With the replica stopped the
 * analytics API fails while admin writes go on; with it back, analytics answers again.
 */
import { freePort, startPlatformProcess, waitFor, type PlatformProcess } from '@tollgate/testing';
import { PrivatePostgres } from './support/private-postgres';

jest.setTimeout(180_000);

async function statusOf(url: string, init?: RequestInit): Promise<number> {
  try {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0;
  }
}

describe('analytics on a read replica (DATABASE_READ_URL)', () => {
  let primary: PrivatePostgres;
  let replica: PrivatePostgres;
  let controlPlane: PlatformProcess | null = null;
  let admin: string;
  const analytics = () => statusOf(`${admin}/analytics/usage?from=${Math.floor(Date.now() / 1000) - 3600}&to=${Math.floor(Date.now() / 1000)}`);

  beforeAll(async () => {
    primary = await PrivatePostgres.create();
    await primary.start();
    replica = await primary.createReplica();
    await replica.start();
    const [adminPort, clusterPort] = [await freePort(), await freePort()];
    admin = `http://127.0.0.1:${adminPort}`;
    controlPlane = startPlatformProcess('control-plane', {
      DATABASE_URL: primary.url('postgres'),
      DATABASE_READ_URL: replica.url('postgres'),
      TOLLGATE_DATABASE_SCHEMA: 'tollgate',
      TOLLGATE_CLUSTER_MTLS: 'off',
      TOLLGATE_USAGE_WORKER_CONCURRENCY: '0',
      TOLLGATE_USAGE_ROLL_INTERVAL: '0',
      TOLLGATE_ADMIN_LISTEN: `127.0.0.1:${adminPort}`,
      TOLLGATE_CLUSTER_LISTEN: `127.0.0.1:${clusterPort}`,
    });
    await waitFor('the control plane', async () => (await statusOf(`${admin}/status`)) === 200, 60_000, 100).catch((error: Error) => {
      throw new Error(`${error.message}\n${controlPlane!.output()}`);
    });
  });

  afterAll(async () => {
    await controlPlane?.stop('SIGKILL');
    await replica?.remove();
    await primary?.remove();
  });

  it('reads analytics from the replica, and writes to the primary while the replica is down', async () => {
    // The migrated schema reached the replica: analytics answer from it.
    await waitFor('analytics from the replica', async () => (await analytics()) === 200, 30_000, 200);

    await replica.stop('fast');
    expect(await analytics()).toBeGreaterThanOrEqual(500);
    const write = await statusOf(`${admin}/services`, { method: 'POST', body: new URLSearchParams({ name: 'while-replica-down', url: 'http://127.0.0.1:9' }) });
    expect(write).toBe(201);
    expect(await statusOf(`${admin}/services/while-replica-down`)).toBe(200);

    await replica.start();
    await waitFor('analytics from the replica again', async () => (await analytics()) === 200, 60_000, 500);
  });
});
