import { readControlPlaneSettings, startControlPlane } from '@tollgate/control-plane';
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import pino from 'pino';

const log = pino({ base: { role: 'platform', pid: process.pid } });
const DATA_PLANE_MAIN = join(__dirname, '..', '..', 'data-plane', 'src', 'main.ts');
const REGISTER = join(__dirname, '..', '..', '..', 'tools', 'register.js');

/** The data plane in a process of its own, as in production, syncing from the control plane. */
function startDataPlaneProcess(clusterAddress: string): ChildProcess {
  return fork(DATA_PLANE_MAIN, [], {
    execArgv: ['-r', REGISTER],
    env: { ...process.env, TOLLGATE_CONTROL_PLANE: process.env.TOLLGATE_CONTROL_PLANE ?? clusterAddress, TOLLGATE_REGION: process.env.TOLLGATE_REGION ?? 'default' },
    stdio: 'inherit',
  });
}

/**
 * `npm start`: the whole platform on one machine. A control plane (admin API on 127.0.0.1:8001,
 * database created and migrated, development cluster certificate generated) and a data plane of
 * region `default` (proxy on :8000, status on 127.0.0.1:8100) that syncs its config over mTLS.
 */
async function main(): Promise<void> {
  const controlPlane = await startControlPlane(readControlPlaneSettings());
  const dataPlane = startDataPlaneProcess(controlPlane.clusterAddress);
  log.info({ admin: controlPlane.adminUrl, cluster: controlPlane.clusterAddress }, 'tollgate started');
  let stopping = false;
  dataPlane.on('exit', (code, signal) => {
    if (stopping) return;
    log.error({ code, signal }, 'the data plane exited; stopping the platform');
    void controlPlane.close().finally(() => process.exit(1));
  });
  const stop = () => {
    if (stopping) return;
    stopping = true;
    dataPlane.kill('SIGTERM');
    dataPlane.once('exit', () => void controlPlane.close().finally(() => process.exit(0)));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  log.fatal({ error: err instanceof Error ? err.message : String(err) }, 'tollgate failed to start');
  process.exit(1);
});
