import { DeclarativeConfigError, ENTITY_COLLECTIONS, loadDeclarativeConfigFile, type ConfigEntities, type DeclarativeError } from '@tollgate/config';
import { validatePluginConfig } from '@tollgate/plugins';
import { CliError, describeFileError } from './command-runner';

/** One error of the file as a line: where it is, which entity, and what is wrong. */
export function formatDeclarativeError(error: DeclarativeError): string {
  const where = error.path || error.entity;
  const label = error.name !== undefined ? ` '${error.name}'` : '';
  const entity = where === error.entity && !label ? '' : ` (${error.entity}${label})`;
  return `  - ${where}${entity}: ${error.message}`;
}

/**
 * Reads a Kong-format declarative file the way a data plane would (plugin configs checked and
 * their defaults filled); an unreadable or invalid file becomes a CliError listing every error.
 */
export function readDeclarativeFile(file: string): ConfigEntities {
  try {
    return loadDeclarativeConfigFile(file, { validatePluginConfig });
  } catch (err) {
    if (err instanceof DeclarativeConfigError) {
      const count = err.errors.length === 1 ? '1 error' : `${err.errors.length} errors`;
      throw new CliError([`${file} is not a valid declarative config (${count}):`, ...err.errors.map(formatDeclarativeError)].join('\n'));
    }
    if ((err as NodeJS.ErrnoException).code) throw new CliError(`cannot read ${describeFileError(file, err)}`);
    throw err;
  }
}

/** `2 services, 5 routes, 3 consumers`: the collections that have entities, in write order. */
export function countEntities(entities: ConfigEntities): string {
  const counts = ENTITY_COLLECTIONS.filter((c) => entities[c].length > 0).map((c) => `${entities[c].length} ${c}`);
  return counts.length > 0 ? counts.join(', ') : 'no entities';
}
