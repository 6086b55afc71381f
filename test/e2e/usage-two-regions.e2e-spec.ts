/**
 * Metering end to end, every piece a real process: calls through two data planes in two regions
 * (one serving in its own process, one a node:cluster of two workers) reach GET /analytics/usage
 * exactly, split by service, route, consumer, region, node and status class, with the bytes both
 * ways equal to what the clients' sockets counted (headers included).
 */
import { UsagePlatform, type DataPlaneUnderTest } from './support/usage-platform';

jest.setTimeout(120_000);

describe('usage: two data planes in two regions', () => {
  let platform: UsagePlatform;
  let eu: DataPlaneUnderTest;
  let us: DataPlaneUnderTest;

  beforeAll(async () => {
    ({ platform, eu, us } = await UsagePlatform.twoRegions('usage-regions'));
  });

  afterAll(async () => {
    await platform?.dispose();
  });

  it('reports exactly the calls made, split by every dimension', async () => {
    const answered = await platform.send([eu, us], 400, 8);
    expect(answered).toBe(400);
    expect(platform.unanswered).toBe(0);
    await platform.expectExactTotals();

    // Every dimension is really split: both regions and nodes, every status class, named entities.
    const keys = [...platform.tally.groups.keys()].join('\n');
    for (const part of ['| eu |', '| us |', eu.nodeId, us.nodeId, '| 2xx', '| 4xx', '| 5xx', 'catalog | catalog-search', 'billing | billing-invoices | alice', 'null | null | null']) {
      expect(keys).toContain(part);
    }

    // Filters by name and id agree with the tally too.
    const { body } = await platform.admin.get<{ data: { requests: number; errors: number }[] }>(
      `/analytics/usage?granularity=day&from=${platform.from}&consumer=bob&region=us`,
    );
    const bobInUs = [...platform.tally.groups].filter(([k]) => k.includes('| bob | us |')).reduce((sum, [, c]) => sum + c.requests, 0);
    expect(body.data.reduce((sum, r) => sum + r.requests, 0)).toBe(bobInUs);
    expect(bobInUs).toBeGreaterThan(0);
  });
});
