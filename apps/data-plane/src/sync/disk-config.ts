import type { Delta } from '@tollgate/protocol';
import type { SnapshotFile, StoredDelta } from './snapshot-file';
import { DeltaError, SyncedConfig } from './synced-config';

function toDelta(stored: StoredDelta): Delta {
  return {
    from_version: stored.from_version,
    to_version: stored.to_version,
    hash: stored.hash,
    upserts: stored.upserts.map((u) => ({ entity: u.entity, id: u.id, json: Buffer.from(u.json, 'utf8') })),
    deletes: stored.deletes.map((d) => ({ ...d })),
  };
}

/**
 * The config on disk: the last full snapshot with its journal of deltas replayed. A journal
 * entry that does not apply (a torn or stale tail) ends the replay at the last good version.
 */
export async function loadDiskConfig(file: SnapshotFile): Promise<SyncedConfig | null> {
  const stored = await file.load();
  if (!stored) return null;
  let config = SyncedConfig.of(stored.snapshot.version, stored.snapshot.entities, stored.snapshot.computedHash);
  for (const delta of stored.deltas) {
    try {
      config = config.applyDelta(toDelta(delta)).config;
    } catch (err) {
      if (err instanceof DeltaError) break;
      throw err;
    }
  }
  return config;
}
