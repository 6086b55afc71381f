/**
 * The traffic plugins as an operator configures them: written through the admin API and synced to
 * a data plane over gRPC, and served from a Kong declarative file. One observable effect per plugin.
 */
import { adminClient, startTestControlPlane, waitFor, type TestControlPlane } from '@tollgate/testing';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadInitialSnapshot } from '../src/config/initial-config';
import type { RunningDataPlane } from '../src/data-plane';
import { createLogger } from '../src/logger';
import type { ConfigSyncClient } from '../src/sync/config-sync-client';
import { startConfigSync } from '../src/sync/start-config-sync';
import { startScriptedUpstream, type ScriptedUpstream } from './support/scripted-upstream';
import { send, startTestDataPlane, testSettings } from './support/test-data-plane';

jest.setTimeout(60_000);

const PLUGINS = (port: number) => [
  { name: 'cors', config: { origins: ['http://app.test'], credentials: true } },
  { name: 'correlation-id', config: { echo_downstream: true, generator: 'uuid' } },
  { name: 'request-size-limiting', config: { allowed_payload_size: 10, size_unit: 'bytes' } },
  { name: 'request-transformer', config: { add: { headers: ['x-added:yes'] } } },
  { name: 'response-transformer', config: { remove: { json: ['secret'] }, add: { headers: [`x-port:${port}`] } } },
  { name: 'response-ratelimiting', config: { limits: { units: { hour: 1 } } } },
];

/** What a data plane serving the config above answers. */
async function expectEveryPluginRuns(proxyUrl: string, port: number): Promise<void> {
  const res = await send(`${proxyUrl}/api/use`, { headers: { origin: 'http://app.test' } });
  expect(res.status).toBe(200);
  expect(res.headers['access-control-allow-origin']).toBe('http://app.test');
  expect(res.headers['kong-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  expect(res.headers['x-port']).toBe(String(port));
  expect(res.headers['x-ratelimit-remaining-units-hour']).toBe('0');
  const body = JSON.parse(res.body);
  expect(body).toEqual({ seen: expect.objectContaining({ 'x-added': 'yes' }) });
  expect((await send(`${proxyUrl}/api/use`, { method: 'POST', body: 'more than ten bytes' })).status).toBe(413);
  expect((await send(`${proxyUrl}/api/use`)).status).toBe(429);
}

describe('traffic plugins delivered to a data plane', () => {
  let upstream: ScriptedUpstream;
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-traffic-'));

  beforeAll(async () => {
    upstream = await startScriptedUpstream();
    upstream.script('/use', (seen, res) => {
      const body = JSON.stringify({ seen: seen.headers, secret: 'hidden' });
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), 'X-Kong-Limit': 'units=1' });
      res.end(body);
    });
  });

  afterAll(async () => {
    await upstream.close();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('through the admin API and config sync', () => {
    let cp: TestControlPlane;
    let dp: RunningDataPlane;
    let sync: ConfigSyncClient | null = null;

    beforeAll(async () => {
      cp = await startTestControlPlane('traffic_plugins');
      const [host, port] = cp.clusterAddress.split(':') as [string, string];
      const settings = testSettings({ prefix: join(dir, 'synced'), controlPlane: { host, port: Number(port) }, clusterTls: { mode: 'off' } });
      dp = await startTestDataPlane(settings);
      sync = startConfigSync(settings, dp, null, createLogger('silent', {}));
    });

    afterAll(async () => {
      sync?.stop();
      await dp.close();
      await cp.stop();
    });

    it('accepts each plugin, refuses a bad regex and a template naming the field, and runs them all', async () => {
      const admin = adminClient(cp.adminUrl);
      expect((await admin.post('/services', { name: 'echo', url: `http://127.0.0.1:${upstream.port}` })).status).toBe(201);
      expect((await admin.post('/services/echo/routes', { name: 'api', paths: ['/api'] })).status).toBe(201);
      const badRegex = await admin.post('/services/echo/plugins', { name: 'cors', config: { origins: ['[oops'] } });
      expect(badRegex.status).toBe(400);
      expect(JSON.stringify(badRegex.body)).toContain("'[oops' is not a valid regex");
      const template = await admin.post('/services/echo/plugins', { name: 'request-transformer', config: { add: { headers: ['x-a:$(headers.host)'] } } });
      expect(template.status).toBe(400);
      expect(JSON.stringify(template.body)).toContain('templates are not supported');
      const unknown = await admin.post('/services/echo/plugins', { name: 'response-ratelimiting', config: { limits: { a: { hour: 1 } }, bogus: 1 } });
      expect(unknown.status).toBe(400);
      expect(JSON.stringify(unknown.body)).toContain('bogus');
      for (const p of PLUGINS(upstream.port)) expect((await admin.post('/services/echo/plugins', p)).status).toBe(201);
      // /none uses no units: its answer shows the last plugin arrived without spending the limit.
      await waitFor('the route and its plugins synced', async () => (await send(`${dp.proxyUrl}/api/none`)).headers['x-ratelimit-limit-units-hour'] === '1');
      await expectEveryPluginRuns(dp.proxyUrl, upstream.port);
    });
  });

  it('from a declarative file', async () => {
    const file = join(dir, 'kong.json');
    const config = {
      _format_version: '3.0',
      services: [{ name: 'echo', url: `http://127.0.0.1:${upstream.port}`, routes: [{ name: 'api', paths: ['/api'] }], plugins: PLUGINS(upstream.port) }],
    };
    writeFileSync(file, JSON.stringify(config));
    const settings = testSettings({ prefix: join(dir, 'declarative'), declarativeConfig: file, redisKeyPrefix: `tollgate-test:traffic-decl:${Date.now()}:` });
    const dp = await startTestDataPlane(settings);
    try {
      const initial = await loadInitialSnapshot(settings);
      expect(await dp.applySnapshot(initial!.snapshot)).toEqual({ ok: true });
      await expectEveryPluginRuns(dp.proxyUrl, upstream.port);
    } finally {
      await dp.close();
    }
  });
});
