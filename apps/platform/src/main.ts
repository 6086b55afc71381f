import { type ChildProcess } from 'node:child_process';
import pino from 'pino';
import { startMultiRegion } from './multi-region';
import { parsePlatformOptions } from './platform-options';
import { forkRole, runForkedRole } from './role-process';

const log = pino({ base: { role: 'platform', pid: process.pid } });

interface Stoppable {
  readonly children: readonly ChildProcess[];
  close(): Promise<void>;
}

/**
 * `npm start`: the whole platform on one machine. A control plane (admin API on 127.0.0.1:8001,
 * database created and migrated, development cluster certificate generated) and a data plane of
 * region `default` (proxy on :8000, status on 127.0.0.1:8100) that syncs its config over mTLS.
 */
async function startSingleRegion(): Promise<Stoppable> {
  const { readControlPlaneSettings, startControlPlane } = await import('@tollgate/control-plane');
  const controlPlane = await startControlPlane(readControlPlaneSettings());
  const dataPlane = forkRole('data-plane', {
    TOLLGATE_CONTROL_PLANE: process.env.TOLLGATE_CONTROL_PLANE ?? controlPlane.clusterAddress,
    TOLLGATE_REGION: process.env.TOLLGATE_REGION ?? 'default',
  });
  log.info({ admin: controlPlane.adminUrl, cluster: controlPlane.clusterAddress }, 'tollgate started');
  return { children: [dataPlane], close: () => controlPlane.close() };
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Stops everything when asked to, or when any process of it dies. */
function superviseUntilStopped(platform: Stoppable): void {
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    // Data planes first (they drain and flush usage), control planes after.
    for (const child of [...platform.children].reverse()) {
      child.kill('SIGTERM');
      await exited(child);
    }
    await platform.close().finally(() => process.exit(code));
  };
  for (const child of platform.children) {
    child.on('exit', (exitCode, signal) => {
      if (stopping) return;
      log.error({ pid: child.pid, code: exitCode, signal }, 'a platform process exited; stopping the platform');
      void stop(1);
    });
  }
  process.once('SIGINT', () => void stop(0));
  process.once('SIGTERM', () => void stop(0));
}

async function main(): Promise<void> {
  if (await runForkedRole()) return;
  const options = parsePlatformOptions(process.argv.slice(2));
  if (options.regions === null) return superviseUntilStopped(await startSingleRegion());
  const children = await startMultiRegion({ ...options, regions: options.regions }, log);
  log.info({ regions: options.regions, control_planes: options.controlPlanes }, 'tollgate started');
  superviseUntilStopped({ children, close: async () => undefined });
}

main().catch((err: unknown) => {
  log.fatal({ error: err instanceof Error ? err.message : String(err) }, 'tollgate failed to start');
  process.exit(1);
});
