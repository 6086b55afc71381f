import { startControlPlane } from './control-plane';
import { readControlPlaneSettings } from './settings';

async function main(): Promise<void> {
  const settings = readControlPlaneSettings();
  const running = await startControlPlane(settings);
  console.log(JSON.stringify({ level: 'info', msg: 'control plane started', admin: running.adminUrl }));
}

main().catch((err: unknown) => {
  console.error(JSON.stringify({ level: 'fatal', msg: 'control plane failed to start', error: err instanceof Error ? err.message : String(err) }));
  process.exit(1);
});
