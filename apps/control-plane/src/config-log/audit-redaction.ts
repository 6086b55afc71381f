import { isPlainObject } from '@tollgate/config';
import { findAdminEntity } from '../entities/entity-registry';

export const REDACTED = '<redacted>';

const SECRET_FIELDS = new Set(['key', 'key_alt', 'secret', 'password']);
// Plugin configs hold secrets under many names (redis.password, client_secret, api_key...).
const SECRET_CONFIG_KEY = /pass|secret|token|private|^key$|_key$|apikey/i;

function redactConfig(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactConfig);
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = SECRET_CONFIG_KEY.test(k) && v != null && !isPlainObject(v) ? REDACTED : redactConfig(v);
  return out;
}

/** An entity as the audit log keeps it: secret fields (keys, hashes, private keys, plugin secrets) redacted. */
export function redactEntity(entityType: string, entity: Record<string, unknown> | null): Record<string, unknown> | null {
  if (!entity) return null;
  const fields = findAdminEntity(entityType)?.fields ?? {};
  const copy = { ...entity };
  for (const [field, value] of Object.entries(copy)) {
    if (value == null) continue;
    const schema = fields[field];
    if (SECRET_FIELDS.has(field) || schema?.encrypted || schema?.write_only) copy[field] = REDACTED;
    else if (field === 'config') copy[field] = redactConfig(value);
  }
  return copy;
}
