import { freePort, waitFor } from '@tollgate/testing';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const NOBODY = { uid: 65534, gid: 65534 };

/** The newest Postgres server binaries installed, e.g. /usr/lib/postgresql/16/bin. */
function postgresBin(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))) : [];
  if (versions.length === 0) throw new Error(`no Postgres server binaries under ${root}`);
  versions.sort((a, b) => Number(b) - Number(a));
  return join(root, versions[0]!, 'bin');
}

/**
 * A Postgres server of the test's own, in a temp dir on a free loopback port, to stop and start
 * again under load; the machine's Postgres is never touched. Postgres refuses to run as root, so
 * as root it runs as `nobody`.
 */
export class PrivatePostgres {
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();

  private constructor(
    readonly port: number,
    private readonly dir: string,
    private readonly bin: string,
  ) {}

  static async create(): Promise<PrivatePostgres> {
    const bin = postgresBin();
    const dir = mkdtempSync(join(tmpdir(), 'tollgate-private-pg-'));
    const asUser = process.getuid?.() === 0 ? NOBODY : {};
    if (process.getuid?.() === 0) chownSync(dir, NOBODY.uid, NOBODY.gid);
    const init = spawnSync(join(bin, 'initdb'), ['-D', join(dir, 'data'), '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8'], {
      ...asUser,
      encoding: 'utf8',
    });
    if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`);
    return new PrivatePostgres(await freePort(), dir, bin);
  }

  url(database: string): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  async start(): Promise<void> {
    const args = ['-D', join(this.dir, 'data'), '-p', String(this.port), '-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${this.dir}`];
    args.push('-c', 'fsync=off', '-c', 'max_connections=40');
    const child = spawn(join(this.bin, 'postgres'), args, { ...(process.getuid?.() === 0 ? NOBODY : {}), stdio: 'ignore' });
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    await waitFor(`private Postgres on ${this.port}`, () => this.accepting(), 20_000, 50);
  }

  /** A fast shutdown (SIGINT), as `pg_ctl restart -m fast` does: sessions are cut, new ones refused. */
  async stop(): Promise<void> {
    if (this.child !== null && this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGINT');
    await this.exited;
    this.child = null;
  }

  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** pg_isready's question: does the server accept connections yet? */
  private accepting(): boolean {
    const ready = spawnSync(join(this.bin, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(this.port), '-t', '1'], { encoding: 'utf8' });
    return ready.status === 0;
  }
}
