import pino from 'pino';
import { startControlPlane } from './control-plane';
import { readControlPlaneSettings } from './settings';

const log = pino({ base: { role: 'control-plane', pid: process.pid } });

async function main(): Promise<void> {
  const settings = readControlPlaneSettings();
  const running = await startControlPlane(settings);
  log.info({ admin: running.adminUrl, cluster: running.clusterAddress }, 'control plane started');
  const stop = (signal: string) => {
    log.info({ signal }, 'control plane stopping');
    running.close().finally(() => process.exit(0));
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  log.fatal({ error: err instanceof Error ? err.message : String(err) }, 'control plane failed to start');
  process.exit(1);
});
