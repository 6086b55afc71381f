import type { ConfigSnapshot, EntityCollection } from '@tollgate/config';
import cluster from 'node:cluster';
import { ClusterPrimary } from './cluster/cluster-primary';
import { runClusterWorker } from './cluster/cluster-worker';
import { loadInitialSnapshot } from './config/initial-config';
import { startDataPlane } from './data-plane';
import { createLogger, type Logger } from './logger';
import { readDataPlaneSettings, type DataPlaneSettings } from './settings';
import type { ApplyOutcome } from './sync/config-applier';
import type { ConfigSyncClient } from './sync/config-sync-client';
import { readOrCreateNodeId } from './sync/node-identity';
import { startConfigSync } from './sync/start-config-sync';

/** What main drives: a data plane in this process, or a cluster primary and its workers. */
interface ServingNode {
  applySnapshot(snapshot: ConfigSnapshot, changed?: ReadonlySet<EntityCollection>): ApplyOutcome | Promise<ApplyOutcome>;
  /** Control-plane plugin messages (proxy-cache purges), for every serving process. */
  pluginMessage(plugin: string, payload: unknown): void;
  close(): Promise<void>;
}

async function startNode(settings: DataPlaneSettings, logger: Logger): Promise<ServingNode> {
  if (settings.workers === 0) return startDataPlane(settings, { logger, usageSlot: 0 });
  // The node id is made here, once, before any worker reads it to label its usage batches.
  if (settings.usage.enabled) readOrCreateNodeId(settings.prefix);
  const primary = new ClusterPrimary(settings, logger);
  const statusUrl = await primary.start();
  logger.info({ workers: settings.workers, status: statusUrl }, 'data plane cluster started');
  return primary;
}

/**
 * Serves the declarative file (or the disk copy) at once; a declarative file that is refused
 * stops the node. Returns what is being served.
 */
async function serveInitialConfig(settings: DataPlaneSettings, node: ServingNode, logger: Logger): Promise<ConfigSnapshot | null> {
  const initial = await loadInitialSnapshot(settings);
  if (initial === null) {
    logger.info('no declarative config and no disk copy: waiting for a config');
    return null;
  }
  const outcome = await node.applySnapshot(initial.snapshot);
  if (outcome.ok) {
    logger.info({ source: initial.source, version: initial.snapshot.version }, 'serving initial config');
    return initial.snapshot;
  }
  if (initial.source === 'declarative') {
    const reasons = outcome.errors.map((e) => `${e.entity} ${e.id} ${e.field}: ${e.message}`).join('; ');
    throw new Error(`${settings.declarativeConfig}: config refused: ${reasons}`);
  }
  logger.warn({ errors: outcome.errors }, 'disk copy of the config refused; waiting for a config');
  return null;
}

function stopOnSignals(node: ServingNode, logger: Logger, sync: () => ConfigSyncClient | null): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'draining and stopping');
    sync()?.stop();
    node.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

async function main(): Promise<void> {
  const settings = readDataPlaneSettings();
  if (!cluster.isPrimary) return runClusterWorker(settings);
  const logger = createLogger(settings.logLevel, { node: settings.nodeName, role: 'data-plane' });
  const node = await startNode(settings, logger);
  let sync: ConfigSyncClient | null = null;
  stopOnSignals(node, logger, () => sync);
  const serving = await serveInitialConfig(settings, node, logger);
  sync = startConfigSync(settings, node, serving, logger);
}

main().catch((error: unknown) => {
  console.error(JSON.stringify({ level: 'fatal', msg: 'data plane failed to start', error: error instanceof Error ? error.message : String(error) }));
  process.exit(1);
});
