import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@tollgate/testing';

/** The newest installed PostgreSQL's server binaries (Debian keeps them out of PATH). */
function binary(name: string): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  for (const version of versions) {
    const path = join(root, version, 'bin', name);
    if (existsSync(path)) return path;
  }
  return name;
}

// initdb and postgres refuse to run as root: as root, they run as the `postgres` user.
const AS_ROOT = process.getuid?.() === 0;

function run(name: string, args: string[]): Promise<string> {
  const [command, argv] = AS_ROOT ? ['runuser', ['-u', 'postgres', '--', binary(name), ...args]] : [binary(name), args];
  return new Promise((resolve, reject) =>
    execFile(command, argv, { timeout: 60_000 }, (error, stdout, stderr) => (error ? reject(new Error(`${name} ${args.join(' ')}: ${stderr || error.message}`)) : resolve(stdout))),
  );
}

/** A directory the server's user owns. */
function serverDirectory(path: string): void {
  mkdirSync(path, { recursive: true, mode: 0o700 });
  if (!AS_ROOT) return;
  const [uid, gid] = ['-u', '-g'].map((flag) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim()));
  chownSync(path, uid, gid);
}

/**
 * A PostgreSQL of the test's own (initdb in a temp directory, trust auth, a free loopback port),
 * to stop and start under a running control plane. The machine's Postgres is never touched.
 */
export class PrivatePostgres {
  private constructor(
    private readonly dir: string,
    private readonly dataDir: string,
    readonly port: number,
  ) {}

  /** In a temp directory of its own (the server's user must reach it: not inside a root-only one). */
  static async create(): Promise<PrivatePostgres> {
    const dir = mkdtempSync(join(tmpdir(), 'tollgate-private-pg-'));
    serverDirectory(dir);
    const dataDir = join(dir, 'data');
    serverDirectory(dataDir);
    await run('initdb', ['-D', dataDir, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8']);
    return new PrivatePostgres(dir, dataDir, await freePort());
  }

  /** A streaming replica of this (running) server: pg_basebackup -R, read-only, on a port of its own. */
  async createReplica(): Promise<PrivatePostgres> {
    const dir = mkdtempSync(join(tmpdir(), 'tollgate-private-pg-replica-'));
    serverDirectory(dir);
    const dataDir = join(dir, 'data');
    await run('pg_basebackup', ['-h', '127.0.0.1', '-p', String(this.port), '-U', 'postgres', '-D', dataDir, '-R', '-X', 'stream']);
    return new PrivatePostgres(dir, dataDir, await freePort());
  }

  /** Stops it (if running) and removes its files. */
  async remove(): Promise<void> {
    await this.stop('immediate');
    rmSync(this.dir, { recursive: true, force: true });
  }

  url(database: string): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  async start(): Promise<void> {
    const options = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off`;
    await run('pg_ctl', ['-D', this.dataDir, '-o', options, '-l', join(this.dir, 'server.log'), '-w', '-t', '30', 'start']);
  }

  /** `immediate`: the crash (no checkpoint, every connection cut); `fast`: a clean stop. */
  async stop(mode: 'immediate' | 'fast' = 'fast'): Promise<void> {
    await run('pg_ctl', ['-D', this.dataDir, '-m', mode, '-w', '-t', '30', 'stop']).catch((error: Error) => {
      if (!/not running|No such file|does not exist/i.test(error.message)) throw error;
    });
  }
}
