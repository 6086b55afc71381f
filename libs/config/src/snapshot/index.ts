export * from './entity-types';
export { canonicalJson, ConfigHash } from './config-hash';
export { checkConsistency, type ConfigEntityError } from './consistency-check';
