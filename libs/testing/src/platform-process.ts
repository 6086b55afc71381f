import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');

/**
 * A free loopback port for a test listener. Taken below Linux's ephemeral range (32768-60999) and
 * checked by binding it: a port the kernel hands out for listen(0) comes from that range, and in
 * the moment between closing it and the listener binding it, an outgoing connection of another
 * suite can take it as its local port (seen: EADDRINUSE on a data plane's proxy port).
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (await bindable(port)) return port;
  }
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A control plane or data plane in a process of its own: the thing a test kills or restarts. */
export interface PlatformProcess {
  readonly child: ChildProcess;
  /** Everything it printed, for diagnosing a failure. */
  output(): string;
  /** SIGTERM (graceful) or SIGKILL; resolves when it has exited. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * Starts `npm run <role>` equivalents directly with node (no npm wrapper to forward signals
 * through); with `built`, the built `main.js` of the role in that dist directory instead, plain
 * JavaScript run with no TypeScript hook, from `cwd`.
 */
export function startPlatformProcess(role: 'control-plane' | 'data-plane', env: Record<string, string>, built?: { dist: string; cwd: string }): PlatformProcess {
  const args = built ? [join(built.dist, 'apps', role, 'main.js')] : ['-r', join(ROOT, 'tools', 'register.js'), join(ROOT, 'apps', role, 'src', 'main.ts')];
  const child = spawn(process.execPath, args, {
    cwd: built?.cwd ?? ROOT,
    env: { PATH: process.env.PATH ?? '', TOLLGATE_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    output: () => output,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}
