export { ConfigSyncClient, type ConfigSyncClientOptions } from './config-sync-client';
export type { ApplyOutcome, ConfigApplier } from './config-applier';
export { SnapshotFile, type StoredSnapshot } from './snapshot-file';
export { SyncedConfig, DeltaError } from './synced-config';
export { ReconnectBackoff } from './reconnect-backoff';
