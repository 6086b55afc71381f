/** The traffic plugins served from a Kong declarative file (the admin API + sync case is test/e2e/traffic-plugins-sync.e2e-spec.ts). */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadInitialSnapshot } from '../src/config/initial-config';
import { startTrafficUpstream, type ScriptedUpstream } from './support/scripted-upstream';
import { expectEveryPluginRuns, TRAFFIC_PLUGINS } from './support/traffic-plugins';
import { startTestDataPlane, testSettings } from './support/test-data-plane';

describe('traffic plugins from a declarative file', () => {
  let upstream: ScriptedUpstream;
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-traffic-'));

  beforeAll(async () => {
    upstream = await startTrafficUpstream();
  });

  afterAll(async () => {
    await upstream.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs every traffic plugin the file configures', async () => {
    const file = join(dir, 'kong.json');
    const config = {
      _format_version: '3.0',
      services: [{ name: 'echo', url: `http://127.0.0.1:${upstream.port}`, routes: [{ name: 'api', paths: ['/api'] }], plugins: TRAFFIC_PLUGINS(upstream.port) }],
    };
    writeFileSync(file, JSON.stringify(config));
    const settings = testSettings({ prefix: join(dir, 'declarative'), declarativeConfig: file });
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
