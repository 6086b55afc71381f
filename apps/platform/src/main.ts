import { readControlPlaneSettings, startControlPlane } from '@tollgate/control-plane';

/**
 * `npm start`: the whole platform on one machine. Today that is the control plane (admin API on
 * 127.0.0.1:8001, schema migrated and database created on start); the data plane joins it when
 * the proxy lands.
 */
async function main(): Promise<void> {
  const controlPlane = await startControlPlane(readControlPlaneSettings());
  console.log(JSON.stringify({ level: 'info', msg: 'tollgate started', admin: controlPlane.adminUrl }));
  const stop = () => {
    controlPlane.close().finally(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(JSON.stringify({ level: 'fatal', msg: 'tollgate failed to start', error: err instanceof Error ? err.message : String(err) }));
  process.exit(1);
});
