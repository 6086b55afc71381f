import { generateClusterCa, generateSharedClusterCertificate, issueClusterCertificate, type PemPair } from '@tollgate/protocol';
import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CliError, describeFileError, processIo, runCommand, type CommandIo } from './command-runner';

export type ClusterCertsMode = 'shared' | 'pki';

export interface ClusterCertsArgs {
  readonly mode: ClusterCertsMode;
  readonly out: string;
  /** Data-plane certificates to issue in `pki` mode. */
  readonly nodes?: number;
  readonly force?: boolean;
}

export const DEFAULT_CERTS_DIR = 'cluster-certs';
const MAX_NODES = 1000;

/** One certificate and key pair to write, under its file base name. */
interface Issued {
  readonly base: string;
  readonly pair: PemPair;
}

/** The environment one role sets to use its certificate. */
interface RoleEnvironment {
  readonly role: string;
  readonly env: Readonly<Record<string, string>>;
}

function checkArgs(args: ClusterCertsArgs): number {
  if (args.mode !== 'shared' && args.mode !== 'pki') throw new CliError(`--mode: expected shared or pki, got '${args.mode}'`);
  if (args.mode === 'shared') {
    if (args.nodes !== undefined) throw new CliError('--nodes applies to --mode pki only: in shared mode every node holds the same certificate');
    return 0;
  }
  const nodes = args.nodes ?? 1;
  if (!Number.isInteger(nodes) || nodes < 1 || nodes > MAX_NODES) throw new CliError(`--nodes: expected a whole number from 1 to ${MAX_NODES}, got '${args.nodes}'`);
  return nodes;
}

function fileNames(mode: ClusterCertsMode, nodes: number): string[] {
  const bases = mode === 'shared' ? ['cluster'] : ['ca', 'control-plane', ...Array.from({ length: nodes }, (_, i) => `data-plane-${i + 1}`)];
  return bases.flatMap((base) => [`${base}.crt`, `${base}.key`]);
}

/** Checked before any key is generated, so a refusal leaves the directory as it was. */
function refuseOverwrite(dir: string, names: readonly string[], force: boolean): void {
  if (force) return;
  const existing = names.map((name) => join(dir, name)).filter((path) => existsSync(path));
  if (existing.length === 0) return;
  throw new CliError(`refusing to overwrite ${existing.join(', ')}: pass --force to replace ${existing.length === 1 ? 'it' : 'them'}`);
}

function prepareDirectory(dir: string, io: CommandIo): void {
  try {
    if (!existsSync(dir)) {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      return;
    }
    if (!statSync(dir).isDirectory()) throw new CliError(`${dir} exists and is not a directory`);
    if ((statSync(dir).mode & 0o077) !== 0) io.err(`warning: ${dir} is readable by other users; private keys belong in a directory of mode 0700`);
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new CliError(`cannot create ${describeFileError(dir, err)}`);
  }
}

/** Replaces rather than rewrites an existing file, so the new file gets `mode` whatever the old one had. */
function writeNew(path: string, content: string, mode: number): void {
  try {
    rmSync(path, { force: true });
    writeFileSync(path, content, { mode, flag: 'wx' });
  } catch (err) {
    throw new CliError(`cannot write ${describeFileError(path, err)}`);
  }
}

function issue(mode: ClusterCertsMode, nodes: number): Issued[] {
  if (mode === 'shared') return [{ base: 'cluster', pair: generateSharedClusterCertificate() }];
  const ca = generateClusterCa();
  const issued: Issued[] = [
    { base: 'ca', pair: ca },
    { base: 'control-plane', pair: issueClusterCertificate(ca, 'control-plane', 'control-plane') },
  ];
  for (let i = 1; i <= nodes; i++) issued.push({ base: `data-plane-${i}`, pair: issueClusterCertificate(ca, `data-plane-${i}`, 'data-plane') });
  return issued;
}

function roleEnvironments(mode: ClusterCertsMode, dir: string, issued: readonly Issued[]): RoleEnvironment[] {
  const files = (base: string) => ({ TOLLGATE_CLUSTER_CERT: join(dir, `${base}.crt`), TOLLGATE_CLUSTER_CERT_KEY: join(dir, `${base}.key`) });
  if (mode === 'shared') return [{ role: 'control plane and every data plane', env: { TOLLGATE_CLUSTER_MTLS: 'shared', ...files('cluster') } }];
  const ca = join(dir, 'ca.crt');
  return issued
    .filter(({ base }) => base !== 'ca')
    .map(({ base }) => ({
      role: base === 'control-plane' ? 'control plane' : base.replace('data-plane-', 'data plane '),
      env: { TOLLGATE_CLUSTER_MTLS: 'pki', ...files(base), TOLLGATE_CLUSTER_CA_CERT: ca },
    }));
}

function printEnvironments(io: CommandIo, mode: ClusterCertsMode, dir: string, issued: readonly Issued[]): void {
  for (const { role, env } of roleEnvironments(mode, dir, issued)) {
    io.out('');
    io.out(`# ${role}`);
    for (const [name, value] of Object.entries(env)) io.out(`${name}=${value}`);
  }
  if (mode === 'pki') {
    io.out('');
    io.out(`# ${join(dir, 'ca.key')} signs cluster certificates: keep it off the nodes, offline if you can.`);
  }
}

/** `tollgate cluster certs`: writes the certificates the planes authenticate each other with. */
export function clusterCertsCommand(args: ClusterCertsArgs, io: CommandIo = processIo): Promise<number> {
  return runCommand(io, () => {
    const nodes = checkArgs(args);
    const dir = resolve(args.out);
    refuseOverwrite(dir, fileNames(args.mode, nodes), args.force ?? false);
    prepareDirectory(dir, io);
    const issued = issue(args.mode, nodes);
    for (const { base, pair } of issued) {
      writeNew(join(dir, `${base}.key`), pair.key, 0o600);
      writeNew(join(dir, `${base}.crt`), pair.cert, 0o644);
    }
    io.out(`Wrote ${issued.length * 2} files (${args.mode} mode) to ${dir}. Set on each node:`);
    printEnvironments(io, args.mode, dir, issued);
    return 0;
  });
}
