import { loadDeclarativeConfigFile } from '@tollgate/config';
import { generateSharedClusterCertificate } from '@tollgate/protocol';
import { adminClient, startTestControlPlane, type AdminClient, type TestControlPlane } from '@tollgate/testing';
import { createServer, type AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CommandIo } from '../../apps/cli/src/command-runner';
import { configDiffCommand } from '../../apps/cli/src/config-diff.command';
import { configDumpCommand } from '../../apps/cli/src/config-dump.command';
import { configSyncCommand } from '../../apps/cli/src/config-sync.command';
import { configValidateCommand } from '../../apps/cli/src/config-validate.command';

function capture(): CommandIo & { stdout: string[]; stderr: string[]; text(): string } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (l) => stdout.push(l), err: (l) => stderr.push(l), text: () => [...stdout, ...stderr].join('\n') };
}

const indent = (pem: string, spaces: number) => pem.trim().split('\n').join(`\n${' '.repeat(spaces)}`);

function kongFile(options: { ordersPort: number; withOrdersWrite: boolean; cert: { cert: string; key: string } }): string {
  const ordersWrite = `
      - name: orders-write
        paths: [/orders]
        methods: [POST, PUT]
        plugins:
          - name: rate-limiting
            config: { minute: 20, policy: local }`;
  return `_format_version: "3.0"
certificates:
  - cert: |
      ${indent(options.cert.cert, 6)}
    key: |
      ${indent(options.cert.key, 6)}
    snis:
      - name: api.example.com
services:
  - name: orders
    url: http://orders.internal:${options.ordersPort}/v1
    tags: [team-orders]
    routes:
      - name: orders-read
        paths: [/orders]
        methods: [GET]${options.withOrdersWrite ? ordersWrite : ''}
    plugins:
      - name: key-auth
        config: { key_names: [apikey] }
  - name: billing
    host: billing.upstream
    routes:
      - name: billing-events
        paths: [/billing/events]
upstreams:
  - name: billing.upstream
    targets:
      - target: 10.0.0.11:8080
      - target: 10.0.0.12
        weight: 50
consumers:
  - username: alice
    keyauth_credentials:
      - key: alice-primary-key
    acls:
      - group: admins
`;
}

describe('tollgate config dump / diff / sync against a control plane', () => {
  let cp: TestControlPlane;
  let admin: AdminClient;
  let dir: string;
  const cert = generateSharedClusterCertificate();

  beforeAll(async () => {
    cp = await startTestControlPlane('cli-config-sync');
    admin = adminClient(cp.adminUrl);
    dir = mkdtempSync(join(tmpdir(), 'tollgate-cli-sync-'));
  });

  afterAll(async () => {
    await cp?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  function file(name: string, text: string): string {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  }

  const diff = async (path: string) => {
    const io = capture();
    return { code: await configDiffCommand({ file: path, adminUrl: cp.adminUrl }, io), io };
  };
  const sync = async (path: string, dryRun = false) => {
    const io = capture();
    return { code: await configSyncCommand({ file: path, adminUrl: cp.adminUrl, dryRun }, io), io };
  };

  it('syncs a file into an empty control plane, after which diff finds nothing', async () => {
    const path = file('kong.yml', kongFile({ ordersPort: 8080, withOrdersWrite: true, cert }));
    const before = await diff(path);
    expect(before.code).toBe(2);
    expect(before.io.text()).toContain('services: 2 to create');

    const dry = await sync(path, true);
    expect(dry.code).toBe(0);
    expect(dry.io.text()).toContain('Dry run: would have 15 created, 0 updated, 0 deleted');
    expect((await admin.get<{ data: unknown[] }>('/services')).body.data).toEqual([]);

    const applied = await sync(path);
    expect(applied.io.stderr).toEqual([]);
    expect(applied.code).toBe(0);
    expect(applied.io.stdout.at(-1)).toBe(`Synced ${path} to ${cp.adminUrl}: 15 created, 0 updated, 0 deleted.`);

    expect((await admin.get('/services/orders')).body).toMatchObject({ host: 'orders.internal', port: 8080, path: '/v1' });
    expect((await admin.get<{ data: unknown[] }>('/services/orders/routes')).body.data).toHaveLength(2);
    expect((await admin.get('/routes/orders-write/plugins')).body).toMatchObject({ data: [{ name: 'rate-limiting', config: { minute: 20 } }] });
    expect((await admin.get('/upstreams/billing.upstream/targets')).body).toMatchObject({ data: expect.arrayContaining([expect.objectContaining({ target: '10.0.0.12:8000', weight: 50 })]) });
    expect((await admin.get('/key-auths/alice-primary-key')).status).toBe(200);
    expect((await admin.get('/snis/api.example.com')).status).toBe(200);

    const after = await diff(path);
    expect(after.io.text()).toBe(`No differences: ${cp.adminUrl} matches ${path}.`);
    expect(after.code).toBe(0);
    expect((await sync(path)).io.text()).toBe(`Nothing to do: ${cp.adminUrl} already matches ${path}.`);
  });

  it('shows an edited file as an update and a delete, then sync applies exactly those', async () => {
    const path = file('kong.yml', kongFile({ ordersPort: 9090, withOrdersWrite: false, cert }));
    const ordersId = (await admin.get('/services/orders')).body.id as string;
    const writeId = (await admin.get('/routes/orders-write')).body.id as string;

    const shown = await diff(path);
    expect(shown.code).toBe(2);
    expect(shown.io.stdout).toEqual([
      'services: 1 to update',
      `  ~ orders (${ordersId}): port: 8080 → 9090`,
      'routes: 1 to delete',
      `  - orders-write (${writeId})`,
      'plugins: 1 to delete',
      expect.stringMatching(/^ {2}- rate-limiting on route orders-write \(/),
      `Syncing ${path} would create 0, update 1 and delete 2 entities.`,
    ]);

    const applied = await sync(path);
    expect(applied.code).toBe(0);
    expect(applied.io.stdout.at(-1)).toBe(`Synced ${path} to ${cp.adminUrl}: 0 created, 1 updated, 2 deleted.`);
    expect((await admin.get('/services/orders')).body).toMatchObject({ id: ordersId, port: 9090 });
    expect((await admin.get('/routes/orders-write')).status).toBe(404);
    expect((await admin.get('/routes/orders-read')).status).toBe(200);
    expect((await diff(path)).code).toBe(0);
  });

  it('adopts an entity created through the admin API by its name, keeping its id', async () => {
    const created = await admin.post('/services', { name: 'legacy', host: 'legacy.internal', port: 81 });
    expect(created.status).toBe(201);
    const base = kongFile({ ordersPort: 9090, withOrdersWrite: false, cert });
    // Appended to the file's services list, which ends where upstreams begin.
    const path = file('kong.yml', base.replace('upstreams:', '  - name: legacy\n    host: legacy.internal\n    port: 82\nupstreams:'));

    const shown = await diff(path);
    expect(shown.io.stdout.slice(0, 2)).toEqual(['services: 1 to update', `  ~ legacy (${created.body.id as string}): port: 81 → 82`]);
    expect((await sync(path)).code).toBe(0);
    expect((await admin.get('/services/legacy')).body).toMatchObject({ id: created.body.id, port: 82 });
    expect((await diff(path)).code).toBe(0);
  });

  it('dumps the control plane to a Kong-format file that validates and diffs as identical', async () => {
    const out = join(dir, 'dump.yml');
    const io = capture();
    expect(await configDumpCommand({ adminUrl: cp.adminUrl, out }, io)).toBe(0);
    expect(io.stdout[0]).toMatch(new RegExp(`^Wrote ${out} from .*: 1 certificates, 1 snis, 3 services, 2 routes, 1 consumers, 1 upstreams, 2 targets, 1 plugins, 1 keyauth_credentials, 1 acls$`));
    expect(statSync(out).mode & 0o777).toBe(0o600);

    const text = readFileSync(out, 'utf8');
    expect(text).toMatch(/^_format_version: "3\.0"$/m);
    expect(text).toMatch(/^ {4}name: orders$/m);
    expect(text).toMatch(/^ {8}name: orders-read$/m);

    expect(await configValidateCommand({ file: out }, capture())).toBe(0);
    const roundTrip = await diff(out);
    expect(roundTrip.io.text()).toBe(`No differences: ${cp.adminUrl} matches ${out}.`);
    expect(roundTrip.code).toBe(0);

    const exported = (await admin.get<Record<string, { id: string }[]>>('/config')).body;
    const reloaded = loadDeclarativeConfigFile(out);
    expect(reloaded.routes.map((r) => r.id).sort()).toEqual(exported.routes!.map((r) => r.id).sort());
    expect(reloaded.targets.map((t) => t.id).sort()).toEqual(exported.targets!.map((t) => t.id).sort());

    const stdout = capture();
    expect(await configDumpCommand({ adminUrl: cp.adminUrl }, stdout)).toBe(0);
    expect(stdout.stdout.join('\n')).toBe(text.trimEnd());
  });

  it("stops at the first request the admin API refuses, printing its error body", async () => {
    const other = generateSharedClusterCertificate();
    const path = file('mismatched.yml', kongFile({ ordersPort: 9090, withOrdersWrite: false, cert: { cert: cert.cert, key: other.key } }));
    const { code, io } = await sync(path);
    expect(code).toBe(1);
    const message = io.stderr.join('\n');
    expect(message).toMatch(/^error: PUT \/certificates\/[0-9a-f-]{36} failed: 400 schema violation \(code 2\): .*certificate does not match key/);
    expect(message).toContain('fields: {"@entity":["certificate does not match key"]}');
    expect(message).toContain('sync stopped: nothing was changed');
  });

  it('says which admin API it could not reach', async () => {
    const path = file('kong.yml', kongFile({ ordersPort: 9090, withOrdersWrite: false, cert }));
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const io = capture();
    expect(await configDiffCommand({ file: path, adminUrl: `http://127.0.0.1:${port}` }, io)).toBe(1);
    expect(io.stderr).toEqual([expect.stringContaining(`error: cannot reach the admin API at http://127.0.0.1:${port} (connect ECONNREFUSED`)]);
  });
});
