import { parseDocument } from 'yaml';
import { findEntity } from '../entities';
import type { EntityDefinition } from '../entities';
import { isPlainObject } from '../schema/validate';
import type { DeclarativeError } from './declarative-error';
import { unsupportedEntity } from './kong-unsupported';

export const FORMAT_VERSIONS = ['1.1', '2.1', '3.0'] as const;
export type FormatVersion = (typeof FORMAT_VERSIONS)[number];

/** The top level of a declarative file, checked; entity arrays are left for the flattener. */
export interface DeclarativeDocument {
  readonly formatVersion: FormatVersion;
  /** `_transform`: plain credentials in the file are to be transformed (passwords hashed). */
  readonly transform: boolean;
  /** Top-level entity arrays, in file order. */
  readonly collections: readonly (readonly [EntityDefinition, unknown])[];
}

type MetaCheck = (value: unknown) => string | null;

const META_KEYS: Readonly<Record<string, MetaCheck>> = {
  _format_version: (v) =>
    typeof v !== 'string'
      ? `expected a string such as "3.0" (quote it in YAML)`
      : (FORMAT_VERSIONS as readonly string[]).includes(v)
        ? null
        : `unsupported format version '${v}': expected one of ${FORMAT_VERSIONS.join(', ')}`,
  _transform: (v) => (typeof v === 'boolean' ? null : 'expected a boolean'),
  _comment: (v) => (typeof v === 'string' ? null : 'expected a string'),
  _ignore: (v) => (Array.isArray(v) ? null : 'expected an array'),
  _workspace: (v) => (typeof v === 'string' ? null : 'expected a string'),
};

/** YAML or JSON text to a value; JSON takes the fast path, which matters for large configs. */
function parseText(text: string, errors: DeclarativeError[]): unknown {
  if (/^\s*[{[]/.test(text)) {
    try {
      return JSON.parse(text);
    } catch {
      // Not strict JSON (comments, trailing commas...): YAML's flow syntax may still read it.
    }
  }
  // YAML 1.2 core schema as `yaml` parses by default, plus `<<` merge keys, which Kong's YAML
  // 1.1 parser honours and Kong users write to share plugin configs.
  const doc = parseDocument(text, { merge: true, prettyErrors: true });
  if (doc.errors.length > 0) {
    for (const e of doc.errors) errors.push({ entity: 'document', path: '', message: `invalid YAML: ${e.message}` });
    return undefined;
  }
  try {
    return doc.toJS({ maxAliasCount: 1000 });
  } catch (err) {
    errors.push({ entity: 'document', path: '', message: `invalid YAML: ${(err as Error).message}` });
    return undefined;
  }
}

/** Parses the text and checks its top-level keys; returns null when nothing further can be read. */
export function readDocument(text: string, errors: DeclarativeError[]): DeclarativeDocument | null {
  const root = parseText(text, errors);
  if (errors.length > 0) return null;
  if (!isPlainObject(root)) {
    errors.push({ entity: 'document', path: '', message: 'expected a mapping with _format_version and entity arrays at the top level' });
    return null;
  }
  const collections: [EntityDefinition, unknown][] = [];
  for (const [key, value] of Object.entries(root)) {
    const meta = META_KEYS[key];
    const def = findEntity(key);
    if (meta) {
      const message = meta(value);
      if (message) errors.push({ entity: key, path: key, message });
    } else if (def) {
      collections.push([def, value]);
    } else {
      const reason = unsupportedEntity(key);
      errors.push({ entity: key, path: key, message: reason ? `not supported by Tollgate: ${reason}` : `unknown top-level key '${key}'` });
    }
  }
  if (!('_format_version' in root)) {
    errors.push({ entity: '_format_version', path: '_format_version', message: 'required field missing (Kong declarative files start with _format_version: "3.0")' });
  }
  const formatVersion = root._format_version as FormatVersion;
  return { formatVersion, transform: root._transform !== false, collections };
}
