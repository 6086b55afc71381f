import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { send } from './test-data-plane';

const ROOT = resolve(__dirname, '../../../..');

/**
 * A free loopback port for a test listener, as @tollgate/testing's (which the data plane's tests
 * may not import): taken below Linux's ephemeral range (32768-60999) and checked by binding it,
 * so that no outgoing connection of another suite can take it before the listener binds it.
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

async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((done) => setTimeout(done, 100));
  }
  throw new Error('timed out waiting for the data plane');
}

/** A data-plane node started as an operator starts it (`apps/data-plane/src/main.ts`), ready to serve. */
export interface DataPlaneProcess {
  readonly proxy: string;
  readonly status: string;
  readonly child: ChildProcess;
  /** SIGTERM, and the exit code once it is gone. */
  stop(): Promise<number | null>;
}

/**
 * Starts a data-plane process serving a Kong declarative file, control plane off, quiet, usage
 * off unless `env` says otherwise; resolves once `/status/ready` answers 200.
 */
export async function startDataPlaneProcess(
  declarativeFile: string,
  prefix: string,
  env: Record<string, string> = {},
  /** Runs it under `ulimit -n <nofile>`, as an operator's shell would. */
  nofile?: number,
): Promise<DataPlaneProcess> {
  const [proxyPort, statusPort] = [await freePort(), await freePort()];
  const proxy = `http://127.0.0.1:${proxyPort}`;
  const status = `http://127.0.0.1:${statusPort}`;
  const args = ['-r', './tools/register.js', 'apps/data-plane/src/main.ts'];
  // `exec` keeps the child's pid that of node itself, so signals and its workers' parent are node.
  const [command, argv] = nofile === undefined ? [process.execPath, args] : ['bash', ['-c', `ulimit -n ${nofile} && exec "$0" "$@"`, process.execPath, ...args]];
  const child = spawn(command, argv, {
    cwd: ROOT,
    stdio: 'ignore',
    env: {
      ...process.env,
      TOLLGATE_WORKERS: '1',
      TOLLGATE_CONTROL_PLANE: 'off',
      TOLLGATE_DECLARATIVE_CONFIG: declarativeFile,
      TOLLGATE_PROXY_LISTEN: `127.0.0.1:${proxyPort}`,
      TOLLGATE_PROXY_SSL_LISTEN: 'off',
      TOLLGATE_STATUS_LISTEN: `127.0.0.1:${statusPort}`,
      TOLLGATE_PREFIX: prefix,
      TOLLGATE_LOG_LEVEL: 'silent',
      // No batches into the machine's Redis under the default key prefix.
      TOLLGATE_USAGE: 'off',
      ...env,
    },
  });
  const stop = async () => {
    if (child.exitCode !== null) return child.exitCode;
    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    child.kill('SIGTERM');
    return exited;
  };
  try {
    await waitFor(async () => (await send(`${status}/status/ready`)).status === 200, 30_000);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return { proxy, status, child, stop };
}
