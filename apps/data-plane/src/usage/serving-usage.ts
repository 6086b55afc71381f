import type { Logger } from '../logger';
import type { DataPlaneSettings } from '../settings';
import { readOrCreateNodeId } from '../sync/node-identity';
import { UsageRecorder } from './usage-recorder';
import { usageJournalDir } from './usage-settings';

/**
 * The usage recorder of one serving process: the in-process data plane (slot 0) or cluster worker
 * `slot`. Batches carry the node's sync id (the one the control plane lists the node under) and
 * region, and go to the control plane's queue under the shared Redis key prefix. Null when
 * TOLLGATE_USAGE is off. Opening it never waits on Redis: batches a previous process of this slot
 * left in the journal are sent in the background, before this process's own.
 */
export async function startServingUsage(settings: DataPlaneSettings, slot: number, logger: Logger): Promise<UsageRecorder | null> {
  if (!settings.usage.enabled) return null;
  const nodeId = readOrCreateNodeId(settings.prefix);
  const recorder = await UsageRecorder.start({
    nodeId,
    region: settings.region,
    redisUrl: settings.redisUrl,
    redisKeyPrefix: settings.redisKeyPrefix,
    journalDir: usageJournalDir(settings.prefix, slot),
    maxJournalBytes: settings.usage.maxJournalBytes,
    flushIntervalMs: settings.usage.flushIntervalMs,
    logger,
  });
  logger.debug({ nodeId, slot, flushIntervalMs: settings.usage.flushIntervalMs }, 'usage metering on');
  return recorder;
}
