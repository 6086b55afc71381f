import { waitFor } from '@tollgate/testing';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A port whose cluster bus port (+10000) is free too, both below the ephemeral range. */
async function clusterPort(taken: Set<number>): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = 12_000 + Math.floor(Math.random() * 8_000);
    if (taken.has(port) || taken.has(port + 10_000)) continue;
    if ((await bindable(port)) && (await bindable(port + 10_000))) return port;
  }
  throw new Error('no free port pair for a Redis Cluster node');
}

function redisCli(args: string[]): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile('redis-cli', args, { timeout: 20_000 }, (error, stdout, stderr) => (error ? reject(new Error(`redis-cli ${args.join(' ')}: ${stderr || error.message}`)) : resolve(stdout))),
  );
}

/**
 * A Redis Cluster of the test's own: three masters (no replicas) on loopback ports, made with
 * `redis-cli --cluster create`, in a temp directory, stopped with the test.
 */
export class PrivateRedisCluster {
  private readonly children: ChildProcess[] = [];

  private constructor(readonly ports: readonly number[]) {}

  /** TOLLGATE_REDIS_CLUSTER: the seed nodes. */
  get seeds(): string {
    return this.ports.map((port) => `127.0.0.1:${port}`).join(',');
  }

  static async start(dir: string, masters = 3): Promise<PrivateRedisCluster> {
    const taken = new Set<number>();
    const ports: number[] = [];
    for (let i = 0; i < masters; i++) {
      const port = await clusterPort(taken);
      taken.add(port).add(port + 10_000);
      ports.push(port);
    }
    const cluster = new PrivateRedisCluster(ports);
    try {
      for (const port of ports) {
        const nodeDir = join(dir, String(port));
        mkdirSync(nodeDir, { recursive: true });
        const args = ['--port', String(port), '--bind', '127.0.0.1', '--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--save', '', '--appendonly', 'no', '--dir', nodeDir];
        cluster.children.push(spawn('redis-server', args, { stdio: 'ignore' }));
      }
      for (const port of ports) await waitFor(`redis-server on ${port}`, async () => (await redisCli(['-p', String(port), 'ping'])).trim() === 'PONG', 10_000, 50);
      await redisCli(['--cluster', 'create', ...ports.map((port) => `127.0.0.1:${port}`), '--cluster-yes']);
      for (const port of ports) {
        await waitFor(`cluster_state:ok on ${port}`, async () => (await redisCli(['-p', String(port), 'cluster', 'info'])).includes('cluster_state:ok'), 20_000, 100);
      }
    } catch (error) {
      await cluster.stop();
      throw error;
    }
    return cluster;
  }

  /** Keys matching `pattern` on every master (each holds its slots' keys). */
  async keys(pattern: string): Promise<string[]> {
    const all = await Promise.all(this.ports.map((port) => redisCli(['-p', String(port), '--scan', '--pattern', pattern])));
    return all.flatMap((out) => out.split('\n').filter(Boolean));
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGKILL');
          }),
      ),
    );
  }
}
