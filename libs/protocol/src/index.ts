export * from './config-sync-types';
export { loadConfigSync, CONFIG_SYNC_PROTO, type ConfigSyncPackage } from './load-config-sync';
export * from './cluster-credentials';
export * from './cluster-certificates';
