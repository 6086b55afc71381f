import type { RawEntity } from './entity-flattener';

/**
 * What identifies an entity in a file when it has no id, so that its generated id survives
 * reloads and reordering: the fields it is unique by (a plugin's name and scope, a target's
 * upstream and address), else its unique endpoint key (name, username, key), else its content
 * (certificates), else its position under its parent.
 */
export function naturalKey(entity: RawEntity, references: Readonly<Record<string, string | null>>): string {
  const { def, input } = entity;
  for (const fields of def.uniqueTogether) {
    const parts = fields.map((f) => (def.fields[f]?.type === 'foreign' ? (references[f] ?? '') : input[f]));
    if (parts.every((p) => typeof p === 'string')) return `${fields.join(',')}=${parts.join('|')}`;
  }
  const keyField = def.endpointKey;
  if (keyField !== undefined && def.fields[keyField]?.unique && typeof input[keyField] === 'string') {
    return `${keyField}=${input[keyField]}`;
  }
  if (def.name === 'consumers' && typeof input.custom_id === 'string') return `custom_id=${input.custom_id}`;
  if (typeof input.cert === 'string') return `cert=${input.cert.trim()}`;
  if (entity.parent) return `${entity.parent.entity.id}/${def.name}[${entity.index}]`;
  return entity.path;
}
