import { ConfigHash, loadDeclarativeConfigFile, type ConfigSnapshot } from '@tollgate/config';
import { hashFilePassword, validatePluginConfig } from '@tollgate/plugins';
import { loadDiskConfig } from '../sync/disk-config';
import { SnapshotFile } from '../sync/snapshot-file';

/** The declarative file has no config version; the first control-plane sync replaces it. */
export const DECLARATIVE_VERSION = 0;

/**
 * What a node serves the moment it starts, before any sync: the Kong-format declarative file
 * when TOLLGATE_DECLARATIVE_CONFIG names one (errors name the file and the entity), else the disk
 * copy of the last config it applied, else nothing.
 */
export async function loadInitialSnapshot(settings: { declarativeConfig: string | null; prefix: string }): Promise<{
  snapshot: ConfigSnapshot;
  source: 'declarative' | 'disk';
} | null> {
  if (settings.declarativeConfig !== null) {
    const entities = loadDeclarativeConfigFile(settings.declarativeConfig, { validatePluginConfig, hashPassword: hashFilePassword });
    return { snapshot: { version: DECLARATIVE_VERSION, hash: ConfigHash.of(entities).hex(), entities }, source: 'declarative' };
  }
  const disk = await loadDiskConfig(new SnapshotFile(settings.prefix));
  if (disk === null) return null;
  return { snapshot: { version: disk.version, hash: disk.hash, entities: disk.entities() }, source: 'disk' };
}
