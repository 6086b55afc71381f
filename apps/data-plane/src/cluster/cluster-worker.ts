import type { ConfigEntities, ConfigSnapshot, EntityCollection } from '@tollgate/config';
import { ClusterWindowCounters } from '../counters/cluster-window-counters';
import { isCounterTotals, type CounterDeltasMessage } from '../counters/counter-sync-messages';
import { LocalWindowCounters } from '../counters/local-window-counters';
import { startDataPlane } from '../data-plane';
import { createLogger } from '../logger';
import { deliverPluginMessage } from '../config/plugin-messages';
import { applyEntityChanges } from './entity-changes';
import type { DataPlaneSettings } from '../settings';
import { isPrimaryMessage, workerSlot, type WorkerMessage } from './ipc-messages';

function send(message: WorkerMessage | CounterDeltasMessage): void {
  process.send?.(message);
}

/**
 * A cluster worker: serves the proxy on the shared listeners and applies every config the
 * primary hands it. The status port and the config sources stay with the primary.
 */
export async function runClusterWorker(settings: DataPlaneSettings): Promise<void> {
  const slot = workerSlot();
  const logger = createLogger(settings.logLevel, { node: settings.nodeName, role: 'data-plane-worker', slot });
  // The only worker holds the node's whole count: no IPC on the request path (its counts restart
  // with it if it dies, as a data plane's own restart does).
  const counters = settings.workers === 1 ? new LocalWindowCounters() : new ClusterWindowCounters(send);
  const plane = await startDataPlane(settings, { logger, nodeCounters: counters, status: false, usageSlot: slot });
  // The config as of the last message, which the next change applies to. The plane applies them
  // one at a time in order (each built in slices between requests), so this runs ahead of it.
  let entities: ConfigEntities | null = null;
  const apply = (snapshot: ConfigSnapshot, changed?: ReadonlySet<EntityCollection>) => {
    entities = snapshot.entities;
    void plane.applySnapshot(snapshot, changed).then((outcome) => send({ type: 'tollgate:applied', version: snapshot.version, outcome }));
  };
  process.on('message', (message: unknown) => {
    if (isCounterTotals(message)) return counters instanceof ClusterWindowCounters ? counters.receive(message) : undefined;
    if (!isPrimaryMessage(message)) return;
    switch (message.type) {
      case 'tollgate:config':
        return apply(message.snapshot);
      case 'tollgate:config-change':
        if (entities === null) {
          // Cannot happen: a worker is handed the full config when it starts.
          return send({ type: 'tollgate:applied', version: message.version, outcome: { ok: false, errors: [{ entity: 'snapshot', id: '', field: '', message: 'change without a base config' }] } });
        }
        return apply(
          { version: message.version, hash: message.hash, entities: applyEntityChanges(entities, message.changes) },
          new Set(Object.keys(message.changes) as EntityCollection[]),
        );
      case 'tollgate:plugin-message':
        return void deliverPluginMessage(message.plugin, message.payload);
      case 'tollgate:stats-request':
        return void plane.stats().then(
          (stats) => send({ type: 'tollgate:stats', id: message.id, stats }),
          // Unanswered, the primary counts this worker as not ready.
          (error: unknown) => logger.error({ err: error }, 'stats failed'),
        );
      case 'tollgate:shutdown':
        return void plane.close().then(() => process.exit(0));
    }
  });
  // Signals go to the whole process group: let the primary decide when a worker stops.
  process.on('SIGTERM', () => undefined);
  process.on('SIGINT', () => undefined);
  send({ type: 'tollgate:listening' });
}
