import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { PeriodClose } from '../src/billing/period-close';
import { bearer, bootstrapSecret, issueToken } from './access-support';
import { admin, expectStatus, startTestControlPlane, type TestControlPlane } from './admin-api';

// The build script is a plain Node tool outside every project; the test builds the page as CI would.
// eslint-disable-next-line @typescript-eslint/no-require-imports, @nx/enforce-module-boundaries
const { buildDashboard } = require('../../../tools/build-dashboard.js') as { buildDashboard: (dir: string) => string };

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
const ROUTE = '00000000-0000-4000-8000-000000000005';
interface PageSeen {
  outcome: 'loaded' | 'refused';
  error: string;
  boardHidden: boolean;
  invoices?: string[][];
  revenueTotal?: string;
  subscriptions?: string[][];
  text?: string;
  csvHref?: string;
  painted?: number[];
  lines?: string[][];
}

const describeWithBrowser = CHROMIUM ? describe : describe.skip;
if (!CHROMIUM) console.warn('SKIPPED dashboard browser test: no chromium (apt-get install -y chromium)');

describeWithBrowser('dashboard in headless Chromium: a provider signs in and sees its own billing, charts drawn', () => {
  let cp: TestControlPlane;
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-dashboard-'));
  const boot = bootstrapSecret();
  const tokens = new Map<string, string>();

  /** The page as a real browser shows it after signing in with `token` (a child process runs Chromium). */
  async function drive(token: string, screenshot: string): Promise<PageSeen> {
    const { stdout } = await promisify(execFile)(process.execPath, [join(__dirname, 'dashboard-driver.mjs'), CHROMIUM!, `${cp.adminUrl}/dashboard`, token, screenshot], { timeout: 90_000 });
    return JSON.parse(stdout.trim().split('\n').pop()!) as PageSeen;
  }

  beforeAll(async () => {
    process.env.TOLLGATE_BILLING_CLOSE_INTERVAL = '0';
    process.env.TOLLGATE_DASHBOARD_DIR = buildDashboard(join(dir, 'site'));
    cp = await startTestControlPlane('dashboard_browser', { adminBootstrapToken: boot, usageWorkerConcurrency: 0 });
    const starts: number[] = [];
    for (const [name, price, calls] of [['acme', 500, 13], ['globex', 700, 40]] as const) {
      const org = await admin(cp).post('/organizations').set(bearer(boot)).send({ name });
      const token = (await issueToken(cp, boot, { name: `${name}-token`, role: 'provider', organization: { id: org.body.id } })).token;
      tokens.set(name, token);
      const service = await admin(cp).post('/services').set(bearer(token)).send({ name: `${name}-api`, host: `${name}.internal` });
      const plan = await admin(cp)
        .post('/plans')
        .set(bearer(token))
        .send({ name: `${name}-pro`, services: [{ id: service.body.id }], currency: 'EUR', price, interval: 'minute', quota: { limit: 10 }, overage: { price_per_1000: 1500 } });
      const consumer = await admin(cp).post('/consumers').set(bearer(boot)).send({ username: `${name}-customer` });
      const sub = await admin(cp).post('/subscriptions').set(bearer(boot)).send({ consumer: { id: consumer.body.id }, plan: { id: plan.body.id } });
      expectStatus(sub, 201);
      starts.push(sub.body.current_period_start);
      await cp.schema.query(
        `INSERT INTO usage_minute (bucket, service_id, route_id, consumer_id, status, region, node_id, requests, bytes_in, bytes_out, gateway_latency, upstream_latency)
         VALUES (date_trunc('minute', to_timestamp($1)), $2, $3, $4, 200, 'eu', 'dp-1', $5, 0, 0, '\\x', '\\x')`,
        [sub.body.current_period_start, service.body.id, ROUTE, consumer.body.id, calls],
      );
    }
    const close = cp.app.get(PeriodClose);
    close.graceMs = 0;
    // Issued as of now (the period ended in the past for the test's purposes), so revenue shows today.
    await close.closeDue((Math.max(...starts) + 61) * 1000);
  });

  afterAll(async () => {
    delete process.env.TOLLGATE_BILLING_CLOSE_INTERVAL;
    delete process.env.TOLLGATE_DASHBOARD_DIR;
    await cp?.stop();
    // The screenshot is kept for the reader of the test output; the built site goes.
    rmSync(join(dir, 'site'), { recursive: true, force: true });
  });

  it("signs in with acme's token, shows acme's invoice, lines, revenue and usage only, and draws both charts", async () => {
    const screenshot = join(dir, 'dashboard.png');
    const page = await drive(tokens.get('acme')!, screenshot);
    expect(page.outcome).toBe('loaded');
    expect(page.invoices).toEqual([['ACME-000001', expect.any(String), 'issued', '5.05 EUR']]);
    expect(page.revenueTotal).toBe('Total: 5.05 EUR');
    expect(page.subscriptions).toHaveLength(1);
    expect(page.subscriptions![0]!.slice(1)).toEqual(['13', '13', '13 / 10', '5.05 EUR']);
    expect(page.text).not.toMatch(/GLOBEX|7\.45 EUR/);
    expect(page.lines).toEqual([
      ['base', expect.any(String), '1', '5.00 EUR'],
      ['overage', expect.any(String), '3', '0.05 EUR'],
    ]);
    expect(page.painted![0]).toBeGreaterThan(100);
    expect(page.painted![1]).toBeGreaterThan(100);
    expect(page.csvHref).toMatch(/^blob:/);
    console.log(`dashboard screenshot: ${screenshot}`);
  });

  it('refuses a wrong token on the sign-in form, saying why', async () => {
    const page = await drive('tgk_wrong', '-');
    expect(page.outcome).toBe('refused');
    expect(page.error).toMatch(/401/);
    expect(page.boardHidden).toBe(true);
  });
});
