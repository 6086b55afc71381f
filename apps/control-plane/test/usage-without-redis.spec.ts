import { admin, expectStatus, startTestControlPlane, type TestControlPlane } from './admin-api';
import { closedPortUrl } from './usage-support';

describe('usage: a control plane whose Redis is unreachable', () => {
  let cp: TestControlPlane;

  beforeAll(async () => {
    cp = await startTestControlPlane('usage-without-redis', { redisUrl: await closedPortUrl() });
  });

  it('still serves the admin API, analytics from Postgres, and /metrics without the queue gauges', async () => {
    expectStatus(await admin(cp).post('/services').send({ name: 'svc', host: 'svc.internal' }), 201);
    const usage = await admin(cp).get('/analytics/usage?group_by=service');
    expectStatus(usage, 200);
    expect(usage.body).toEqual({ data: [], next: null });
    const started = Date.now();
    const metrics = await admin(cp).get('/metrics');
    expectStatus(metrics, 200);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(metrics.text).toContain('tollgate_usage_batches_applied_total 0');
    expect(metrics.text).not.toMatch(/^tollgate_usage_queue_depth\{/m);
  });

  it('stops promptly', async () => {
    const started = Date.now();
    await cp.stop();
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
