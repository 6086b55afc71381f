import type { ConfigSnapshot } from '@tollgate/config';
import { pluginHandlers } from '@tollgate/plugins';
import { readClusterTls } from '@tollgate/protocol';
import { hostname } from 'node:os';
import type { Logger } from '../logger';
import type { DataPlaneSettings } from '../settings';
import type { ConfigApplier } from './config-applier';
import { ConfigSyncClient } from './config-sync-client';
import { readOrCreateNodeId } from './node-identity';
import { SnapshotFile } from './snapshot-file';
import { SyncedConfig } from './synced-config';

export const TOLLGATE_VERSION = '0.1.0';

/**
 * Connects this node to its control plane (when it has one): the client holds the gRPC stream
 * and the disk copy in this process, and hands each config to `applier` (the in-process proxy,
 * or the cluster primary that passes it to every worker).
 */
export function startConfigSync(settings: DataPlaneSettings, applier: ConfigApplier, serving: ConfigSnapshot | null, logger: Logger): ConfigSyncClient | null {
  if (!settings.controlPlane) {
    logger.info('no control plane (TOLLGATE_CONTROL_PLANE is off): serving standalone');
    return null;
  }
  let tls;
  try {
    tls = readClusterTls(settings.clusterTls);
  } catch (err) {
    // Keep serving what this node has (declarative file, disk copy): a node without its
    // certificate must not go dark, but it must say loudly that it is not syncing.
    logger.error({ error: (err as Error).message }, 'cannot connect to the control plane: cluster certificate unavailable; serving standalone');
    return null;
  }
  if (tls.mode === 'off') logger.warn('CLUSTER mTLS IS OFF: config is received in plain text from an unauthenticated control plane. Development only.');
  const address = `${settings.controlPlane.host}:${settings.controlPlane.port}`;
  const client = new ConfigSyncClient({
    address,
    tls,
    nodeId: readOrCreateNodeId(settings.prefix),
    hostname: hostname(),
    region: settings.region,
    labels: settings.labels,
    version: TOLLGATE_VERSION,
    plugins: [...pluginHandlers.keys()],
    applier,
    snapshotFile: new SnapshotFile(settings.prefix),
    log: (level, message) => logger[level](message),
    onInstalled: (version, hash) => logger.info({ version, hash }, 'config installed from the control plane'),
  });
  if (serving) client.seed(SyncedConfig.of(serving.version, serving.entities));
  client.start();
  logger.info({ controlPlane: address, region: settings.region }, 'syncing config from the control plane');
  return client;
}
