import { startTestControlPlane, type TestControlPlane } from '@tollgate/testing';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { adminTokenCreateCommand, adminTokenRevokeCommand } from '../../apps/cli/src/admin-tokens.command';
import type { CommandIo } from '../../apps/cli/src/command-runner';
import { configDumpCommand } from '../../apps/cli/src/config-dump.command';

const run = promisify(execFile);

function capture(): CommandIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (l) => stdout.push(l), err: (l) => stderr.push(l) };
}

/** The real `tollgate` binary, as `npm run tollgate --` runs it. */
function tollgate(args: string[], env: Record<string, string> = {}) {
  return run(process.execPath, ['-r', './tools/register.js', 'apps/cli/src/main.ts', ...args], { env: { ...process.env, ...env }, timeout: 60_000 });
}

describe('tollgate admin-tokens and --token against a real control plane', () => {
  let cp: TestControlPlane;
  let secret: string;

  beforeAll(async () => {
    cp = await startTestControlPlane('cli-admin-tokens', { usageWorkerConcurrency: 0 });
  });

  afterAll(async () => {
    await cp.stop();
  });

  it('creates the first admin token on the open loopback API, after which commands need --token or TOLLGATE_ADMIN_TOKEN', async () => {
    const { stdout, stderr } = await tollgate(['admin-tokens', 'create', '--role', 'admin', '--name', 'ops', '--admin-url', cp.adminUrl]);
    secret = stdout.trim();
    expect(secret).toMatch(/^tgk_[A-Za-z0-9_-]{43}$/);
    expect(stderr).toContain("Created admin token 'ops'");

    const refused = capture();
    expect(await configDumpCommand({ adminUrl: cp.adminUrl }, refused)).toBe(1);
    expect(refused.stderr.join('\n')).toMatch(/GET \/config failed: 401: An admin token is required[\s\S]*pass --token or set TOLLGATE_ADMIN_TOKEN/);

    const dumped = capture();
    expect(await configDumpCommand({ adminUrl: cp.adminUrl, token: secret }, dumped)).toBe(0);
    expect(dumped.stdout.join('\n')).toContain('_format_version');

    const viaEnv = await tollgate(['config', 'dump', '--admin-url', cp.adminUrl], { TOLLGATE_ADMIN_TOKEN: secret });
    expect(viaEnv.stdout).toContain('_format_version');
  }, 120_000);

  it('a provider token needs an organization; a token revoked through the CLI stops working', async () => {
    const io = capture();
    expect(await adminTokenCreateCommand({ adminUrl: cp.adminUrl, token: secret, role: 'provider', name: 'p' }, io)).toBe(1);
    expect(io.stderr.join('\n')).toContain('a provider token needs --organization');

    const made = capture();
    expect(await adminTokenCreateCommand({ adminUrl: cp.adminUrl, token: secret, role: 'read-only', name: 'ro' }, made)).toBe(0);
    const readOnly = made.stdout[0]!;
    expect(await configDumpCommand({ adminUrl: cp.adminUrl, token: readOnly }, capture())).toBe(0);
    const [row] = await cp.schema.query<{ id: string }>(`SELECT id FROM admin_tokens WHERE name = 'ro'`);
    expect(await adminTokenRevokeCommand({ adminUrl: cp.adminUrl, token: secret, id: row!.id }, capture())).toBe(0);
    const refused = capture();
    expect(await configDumpCommand({ adminUrl: cp.adminUrl, token: readOnly }, refused)).toBe(1);
    expect(refused.stderr.join('\n')).toMatch(/401: Invalid or expired admin token[\s\S]*the token was refused/);
  });
});
