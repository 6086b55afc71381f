export * from './entity-types';
export { canonicalJson, ConfigHash } from './config-hash';
export { checkConsistency, checkConsistencySteps, type ConfigEntityError } from './consistency-check';
export { chunkSteps, runSteps, type Steps } from './steps';
export { ENTITY_BATCH_CHARS, EntityLineReader, entityLineBatches } from './entity-lines';
