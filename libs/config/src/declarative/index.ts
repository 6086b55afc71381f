export { DeclarativeConfigError, type DeclarativeError } from './declarative-error';
export { FORMAT_VERSIONS, type FormatVersion } from './document-reader';
export type { PluginConfigValidator } from './entity-builder';
export { parseDeclarativeConfig, loadDeclarativeConfigFile, type DeclarativeParseOptions } from './parse-declarative-config';
export { exportDeclarativeConfig } from './export-declarative-config';
export { declarativeId } from './deterministic-id';
