import { waitFor } from '@tollgate/testing';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '@tollgate/testing';

function redisCli(port: number, args: string[]): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile('redis-cli', ['-p', String(port), ...args], { timeout: 10_000 }, (error, stdout, stderr) => (error ? reject(new Error(`redis-cli -p ${port} ${args.join(' ')}: ${stderr || error.message}`)) : resolve(stdout))),
  );
}

export const SENTINEL_MASTER = 'mymaster';

/**
 * Redis with Sentinel, of the test's own: a master, one replica and three sentinels (quorum 2)
 * on free loopback ports, that fail over a second after the master stops answering.
 */
export class PrivateRedisSentinel {
  private readonly servers = new Map<number, ChildProcess>();

  private constructor(
    private readonly dir: string,
    readonly masterPort: number,
    readonly replicaPort: number,
    readonly sentinelPorts: readonly number[],
  ) {}

  /** TOLLGATE_REDIS_SENTINELS. */
  get sentinels(): string {
    return this.sentinelPorts.map((port) => `127.0.0.1:${port}`).join(',');
  }

  static async start(dir: string): Promise<PrivateRedisSentinel> {
    const ports = [await freePort(), await freePort(), await freePort(), await freePort(), await freePort()];
    const setup = new PrivateRedisSentinel(dir, ports[0], ports[1], ports.slice(2));
    try {
      await setup.startServer(setup.masterPort, ['--repl-diskless-sync-delay', '0']);
      await setup.startServer(setup.replicaPort, ['--replicaof', '127.0.0.1', String(setup.masterPort)]);
      // In sync, not just connected: the first full sync waits out repl-diskless-sync-delay.
      await waitFor('the replica in sync', async () => (await redisCli(setup.replicaPort, ['info', 'replication'])).includes('master_link_status:up'), 30_000, 100);
      for (const port of setup.sentinelPorts) {
        const conf = join(dir, `sentinel-${port}.conf`);
        writeFileSync(
          conf,
          [`port ${port}`, 'bind 127.0.0.1', `dir ${dir}`, `sentinel monitor ${SENTINEL_MASTER} 127.0.0.1 ${setup.masterPort} 2`, `sentinel down-after-milliseconds ${SENTINEL_MASTER} 1000`, `sentinel failover-timeout ${SENTINEL_MASTER} 5000`, ''].join('\n'),
        );
        setup.spawn(port, [conf, '--sentinel']);
      }
      // Ready to fail over once every sentinel knows the replica and the two other sentinels.
      for (const port of setup.sentinelPorts) {
        await waitFor(`sentinel ${port} knows the others`, async () => {
          const [replicas, sentinels] = await Promise.all([redisCli(port, ['sentinel', 'replicas', SENTINEL_MASTER]), redisCli(port, ['sentinel', 'sentinels', SENTINEL_MASTER])]);
          return replicas.includes(String(setup.replicaPort)) && setup.sentinelPorts.filter((p) => p !== port).every((p) => sentinels.includes(String(p)));
        }, 30_000, 200);
      }
    } catch (error) {
      await setup.stop();
      throw error;
    }
    return setup;
  }

  private spawn(port: number, args: string[]): void {
    this.servers.set(port, spawn('redis-server', args, { stdio: 'ignore' }));
  }

  private async startServer(port: number, extra: string[]): Promise<void> {
    const serverDir = join(this.dir, String(port));
    mkdirSync(serverDir, { recursive: true });
    this.spawn(port, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', serverDir, ...extra]);
    await waitFor(`redis-server on ${port}`, async () => (await redisCli(port, ['ping'])).trim() === 'PONG', 10_000, 50);
  }

  /** The master's port as the sentinels report it. */
  async currentMasterPort(): Promise<number> {
    const [, port] = (await redisCli(this.sentinelPorts[0], ['sentinel', 'get-master-addr-by-name', SENTINEL_MASTER])).trim().split('\n');
    return Number(port);
  }

  /** SIGKILL one server (the master: the failover). */
  async kill(port: number): Promise<void> {
    const child = this.servers.get(port);
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }

  async stop(): Promise<void> {
    await Promise.all([...this.servers.keys()].map((port) => this.kill(port)));
  }
}
