import { Injectable } from '@nestjs/common';
import {
  findEntity,
  isUuid,
  parseServiceUrl,
  splitHostPort,
  validateRecord,
  type EntityDefinition,
  type FieldErrors,
} from '@tollgate/config';
import { findPluginSchema, validatePluginConfig } from '@tollgate/plugins';
import type { EntityManager } from 'typeorm';
import { AdminError, AdminErrorCode } from '../admin/admin-error';
import { certificateDigest, certificateMatchesKey, generateKey, hashPassword, isPasswordHash } from './entity-secrets';
import { schemaViolation } from './entity-errors';
import { EntityStore } from './entity-store';

export interface InputContext {
  /** The body came from a form or multipart: strings are coerced by the schema. */
  readonly fromForm: boolean;
}

const SERVER_FIELDS = ['created_at', 'updated_at'];

/** Kong's input shorthands: a service's `url`, a target without a port; server-set fields dropped. */
export function expandShorthands(def: EntityDefinition, raw: Record<string, unknown>): Record<string, unknown> {
  const input = { ...raw };
  for (const field of SERVER_FIELDS) delete input[field];
  if (def.name === 'services' && input.url !== undefined) {
    const parsed = parseServiceUrl(input.url);
    if ('error' in parsed) throw schemaViolation({ url: parsed.error });
    delete input.url;
    Object.assign(input, parsed.fields);
  }
  if (def.name === 'targets' && typeof input.target === 'string') {
    // A bare IPv6 address also ends in `:digits`: only a host parsed without a port gets Kong's 8000.
    const parts = splitHostPort(input.target);
    if (parts && parts.port === undefined) input.target = `${parts.host}:8000`;
  }
  return input;
}

/**
 * Turns a request body into an entity ready to store: shorthands expanded, every field checked
 * against the entity's schema (and a plugin's config against the plugin's), generated fields
 * filled, secrets hashed, and foreign keys resolved to ids that exist.
 */
@Injectable()
export class EntityInput {
  constructor(private readonly store: EntityStore) {}

  async prepare(db: EntityManager, def: EntityDefinition, raw: Record<string, unknown>, ctx: InputContext): Promise<Record<string, unknown>> {
    const input = expandShorthands(def, raw);
    const errors: FieldErrors = {};
    if (input.id !== undefined && !isUuid(input.id)) errors.id = 'expected a valid UUID';
    const { value, errors: fieldErrors } = validateRecord(def.fields, input, { coerce: ctx.fromForm }, def.entityChecks);
    Object.assign(errors, fieldErrors ?? {});
    if (def.name === 'plugins' && !errors.name && !errors.config) this.checkPlugin(value, ctx, errors);
    if (def.name === 'certificates') this.checkKeyPairs(value, errors);
    if (Object.keys(errors).length > 0) throw schemaViolation(errors);

    await this.fillGenerated(def, value);
    await this.resolveForeignKeys(db, def, value);
    return value;
  }

  private checkPlugin(value: Record<string, unknown>, ctx: InputContext, errors: FieldErrors): void {
    const name = value.name as string;
    const schema = findPluginSchema(name);
    if (!schema) {
      errors.name = `plugin '${name}' not enabled; add it to the 'plugins' configuration property`;
      return;
    }
    if (schema.no_consumer && value.consumer) {
      errors.consumer = `value must be null`;
    }
    const result = validatePluginConfig(name, value.config ?? {}, { coerce: ctx.fromForm });
    if (result.errors) Object.assign(errors, result.errors);
    else value.config = result.value;
  }

  /** Kong refuses a certificate whose key is not its own: the data plane could never serve it. */
  private checkKeyPairs(value: Record<string, unknown>, errors: FieldErrors): void {
    const mismatched: string[] = [];
    if (!errors.cert && !errors.key && !certificateMatchesKey(value.cert as string, value.key as string)) {
      mismatched.push('certificate does not match key');
    }
    if (value.cert_alt && value.key_alt && !errors.cert_alt && !errors.key_alt && !certificateMatchesKey(value.cert_alt as string, value.key_alt as string)) {
      mismatched.push('alternative certificate does not match key');
    }
    if (mismatched.length === 0) return;
    const entity = errors['@entity'];
    errors['@entity'] = [...(Array.isArray(entity) ? entity : []), ...mismatched];
  }

  private async fillGenerated(def: EntityDefinition, value: Record<string, unknown>): Promise<void> {
    switch (def.name) {
      case 'keyauth_credentials':
        value.key ??= generateKey();
        break;
      case 'jwt_secrets':
        value.key ??= generateKey();
        value.secret ??= generateKey();
        break;
      case 'hmacauth_credentials':
        value.secret ??= generateKey();
        break;
      case 'ca_certificates':
        value.cert_digest = certificateDigest(value.cert as string);
        break;
      case 'basicauth_credentials':
        if (!isPasswordHash(value.password as string)) value.password = await hashPassword(value.password as string);
        break;
    }
  }

  private async resolveForeignKeys(db: EntityManager, def: EntityDefinition, value: Record<string, unknown>): Promise<void> {
    for (const [field, schema] of Object.entries(def.fields)) {
      const ref = value[field] as { id?: string; name?: string } | null | undefined;
      if (schema.type !== 'foreign' || !ref) continue;
      const target = findEntity(schema.reference!)!;
      const row = ref.id
        ? await this.store.findById(db, target, ref.id)
        : await this.store.findByEndpointKey(db, target, ref.name!);
      if (!row) {
        const shown = ref.id ? `{id="${ref.id}"}` : `{${target.endpointKey ?? 'name'}="${ref.name}"}`;
        throw new AdminError(
          AdminErrorCode.FOREIGN_KEY_VIOLATION,
          `the foreign key '${shown}' does not reference an existing '${target.name}' entity.`,
          { [field]: ref },
        );
      }
      value[field] = { id: row.id };
    }
  }
}
