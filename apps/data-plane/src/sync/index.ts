export { ConfigSyncClient, type ConfigSyncClientOptions } from './config-sync-client';
export type { ApplyOutcome, ConfigApplier } from './config-applier';
export { SnapshotFile, type StoredSnapshot, type StoredDelta } from './snapshot-file';
export { loadDiskConfig } from './disk-config';
export { SyncedConfig, DeltaError, type AppliedDelta } from './synced-config';
export { ReconnectBackoff } from './reconnect-backoff';
