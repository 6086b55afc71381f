import { readFileSync } from 'node:fs';
import { ENTITIES } from '../entities';
import { checkConsistency } from '../snapshot/consistency-check';
import type { ConfigEntities } from '../snapshot/entity-types';
import type { DeclarativeError } from './declarative-error';
import { DeclarativeConfigError } from './declarative-error';
import { readDocument } from './document-reader';
import type { PluginConfigValidator } from './entity-builder';
import { buildEntity } from './entity-builder';
import type { RawEntity } from './entity-flattener';
import { flattenEntities } from './entity-flattener';
import { EntityIndex } from './reference-resolver';
import type { BuiltEntity } from './uniqueness-check';
import { checkUniqueness } from './uniqueness-check';

export interface DeclarativeParseOptions {
  /** Checks each plugin's config and fills its defaults (libs/plugins' validatePluginConfig). Without it, configs are kept as written. */
  readonly validatePluginConfig?: PluginConfigValidator;
  /** Hashes basic-auth passwords when the file has `_transform: true` (the default). Without it, passwords are kept as written. */
  readonly hashPassword?: (plain: string) => string;
}

/** Every id a service lists in `ca_certificates` names a CA certificate of the file. */
function checkCaCertificateIds(services: readonly BuiltEntity[], index: EntityIndex): DeclarativeError[] {
  const errors: DeclarativeError[] = [];
  for (const { raw, value } of services) {
    const ids = (value.ca_certificates as string[] | null) ?? [];
    const missing = ids.filter((id) => !index.hasId('ca_certificates', id.toLowerCase()));
    if (missing.length === 0) continue;
    const message = `ca_certificates: no such entry in 'ca_certificates': ${missing.join(', ')}`;
    errors.push({ entity: 'services', path: raw.path, id: raw.id, message, fields: { ca_certificates: message } });
  }
  return errors;
}

/**
 * Reads a Kong declarative config (`_format_version` "1.1", "2.1" or "3.0"; YAML or JSON) into
 * the entities a data plane applies: nested entities lifted out, references resolved to ids,
 * ids generated deterministically where absent, every field validated with defaults filled.
 * Every error in the file is collected, then thrown together as a DeclarativeConfigError.
 */
export function parseDeclarativeConfig(text: string, options: DeclarativeParseOptions = {}): ConfigEntities {
  const errors: DeclarativeError[] = [];
  const doc = readDocument(text, errors);
  if (!doc) throw new DeclarativeConfigError(errors);
  const raws = flattenEntities(doc.collections, errors);
  const byCollection = new Map<string, RawEntity[]>(ENTITIES.map((def) => [def.name, []]));
  for (const raw of raws) byCollection.get(raw.def.name)!.push(raw);

  const ctx = { ...doc, ...options, index: new EntityIndex() };
  const out: Record<string, Record<string, unknown>[]> = {};
  const built = new Map<string, BuiltEntity[]>();
  // Parents before children, so that every reference points at an entity already indexed.
  for (const def of ENTITIES) {
    const entities: BuiltEntity[] = [];
    for (const raw of byCollection.get(def.name)!) {
      const result = buildEntity(raw, ctx);
      if (result.error) errors.push(result.error);
      entities.push({ raw, value: result.value });
    }
    errors.push(...checkUniqueness(def, entities));
    built.set(def.name, entities);
    out[def.name] = entities.map((e) => e.value);
  }
  errors.push(...checkCaCertificateIds(built.get('services')!, ctx.index));

  const entities = out as unknown as ConfigEntities;
  if (errors.length === 0) {
    const paths = new Map(raws.map((r) => [`${r.def.name}:${r.id}`, r.path]));
    for (const e of checkConsistency(entities)) {
      errors.push({ entity: e.entity, path: paths.get(`${e.entity}:${e.id}`) ?? e.entity, id: e.id, message: `${e.field}: ${e.message}` });
    }
  }
  if (errors.length > 0) throw new DeclarativeConfigError(errors);
  return entities;
}

/** Reads and parses a declarative file; errors name the file. */
export function loadDeclarativeConfigFile(path: string, options: DeclarativeParseOptions = {}): ConfigEntities {
  const text = readFileSync(path, 'utf8');
  try {
    return parseDeclarativeConfig(text, options);
  } catch (err) {
    if (err instanceof DeclarativeConfigError) throw new DeclarativeConfigError(err.errors, path);
    throw err;
  }
}
