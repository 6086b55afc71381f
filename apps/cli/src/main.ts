import { Command, InvalidArgumentError, Option } from 'commander';
import { DEFAULT_ADMIN_URL } from './admin-api-client';
import { adminTokenCreateCommand, adminTokenRevokeCommand, TOKEN_ROLES } from './admin-tokens.command';
import { clusterCertsCommand, DEFAULT_CERTS_DIR, type ClusterCertsMode } from './cluster-certs.command';
import { configDiffCommand } from './config-diff.command';
import { configDumpCommand } from './config-dump.command';
import { configSyncCommand } from './config-sync.command';
import { configValidateCommand } from './config-validate.command';

function positiveInteger(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError('expected a whole number of 1 or more');
  return Number(value);
}

const adminUrlOption = () =>
  new Option('--admin-url <url>', 'admin API of the control plane').env('TOLLGATE_ADMIN_URL').default(DEFAULT_ADMIN_URL);

const tokenOption = () => new Option('--token <token>', 'admin token (tgk_...), sent as Authorization: Bearer').env('TOLLGATE_ADMIN_TOKEN');

async function exitWith(code: Promise<number>): Promise<void> {
  process.exitCode = await code;
}

export function buildProgram(): Command {
  const program = new Command('tollgate').description('Tollgate API gateway: declarative config and cluster certificates').showHelpAfterError();

  const cluster = program.command('cluster').description('control plane / data plane clustering');
  cluster
    .command('certs')
    .description('generate the certificates the planes authenticate each other with (mutual TLS)')
    .addOption(new Option('--mode <mode>', 'shared: one certificate for every node; pki: a cluster CA and a certificate per node').choices(['shared', 'pki']).default('shared'))
    .option('--out <dir>', 'directory to write the certificates and keys to', DEFAULT_CERTS_DIR)
    .option('--nodes <n>', 'data-plane certificates to issue (pki mode; default 1)', positiveInteger)
    .option('--force', 'replace existing files')
    .action((opts: { mode: ClusterCertsMode; out: string; nodes?: number; force?: boolean }) => exitWith(clusterCertsCommand(opts)));

  const config = program.command('config').description('Kong-format declarative configuration');
  config
    .command('validate')
    .description('check a declarative file (YAML or JSON) without contacting a control plane')
    .argument('<file>', 'declarative config file')
    .action((file: string) => exitWith(configValidateCommand({ file })));
  config
    .command('dump')
    .description("write the control plane's configuration as a declarative file")
    .addOption(adminUrlOption())
    .addOption(tokenOption())
    .option('--out <file>', 'file to write (default: standard output)')
    .action((opts: { adminUrl: string; token?: string; out?: string }) => exitWith(configDumpCommand(opts)));
  config
    .command('diff')
    .description('show what sync would change; exit 0 when identical, 2 when different')
    .argument('<file>', 'declarative config file')
    .addOption(adminUrlOption())
    .addOption(tokenOption())
    .action((file: string, opts: { adminUrl: string; token?: string }) => exitWith(configDiffCommand({ file, ...opts })));
  config
    .command('sync')
    .description('make the control plane match a declarative file through the admin API')
    .argument('<file>', 'declarative config file')
    .addOption(adminUrlOption())
    .addOption(tokenOption())
    .option('--dry-run', 'print what would change, change nothing')
    .action((file: string, opts: { adminUrl: string; token?: string; dryRun?: boolean }) => exitWith(configSyncCommand({ file, ...opts })));

  const tokens = program.command('admin-tokens').description('admin API credentials');
  tokens
    .command('create')
    .description('create an admin token (the first one needs no --token on a loopback control plane); prints the secret once')
    .addOption(new Option('--role <role>', 'what the token may do').choices(TOKEN_ROLES).makeOptionMandatory())
    .requiredOption('--name <name>', 'what the token is for')
    .option('--organization <id|name>', "the provider's organization (provider tokens)")
    .option('--expires-at <unix-seconds>', 'refuse the token after this time', positiveInteger)
    .addOption(adminUrlOption())
    .addOption(tokenOption())
    .action((opts: { role: string; name: string; organization?: string; expiresAt?: number; adminUrl: string; token?: string }) =>
      exitWith(adminTokenCreateCommand(opts)),
    );
  tokens
    .command('revoke')
    .description('revoke an admin token by id')
    .argument('<id>', 'token id')
    .addOption(adminUrlOption())
    .addOption(tokenOption())
    .action((id: string, opts: { adminUrl: string; token?: string }) => exitWith(adminTokenRevokeCommand({ id, ...opts })));

  return program;
}

if (require.main === module) {
  // `npm run tollgate` runs in the repository root: file arguments are relative to where npm was started.
  if (process.env.npm_lifecycle_event === 'tollgate' && process.env.INIT_CWD) process.chdir(process.env.INIT_CWD);
  void buildProgram().parseAsync(process.argv);
}
