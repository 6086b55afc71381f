import { Injectable } from '@nestjs/common';
import { isUuid, validateRecord, type EntityDefinition, type FieldErrors } from '@tollgate/config';
import type { EntityManager } from 'typeorm';
import { AdminError, AdminErrorCode } from '../admin/admin-error';
import { currentCaller, runAsCaller } from '../access/caller';
import { claimForProvider, inheritOrganization } from '../organizations/organization-ownership';
import { ORGANIZATION_FIELD } from '../organizations/organization-field';
import { schemaViolation } from './entity-errors';
import { findAdminEntity, homeOf } from './entity-registry';
import { EntityStore } from './entity-store';

export interface InputContext {
  /** The body came from a form or multipart: strings are coerced by the schema. */
  readonly fromForm: boolean;
}

const SERVER_FIELDS = ['created_at', 'updated_at'];

/** Kong's input shorthands (the entity's own `expand` rule); server-set fields dropped. */
export function expandShorthands(def: EntityDefinition, raw: Record<string, unknown>): Record<string, unknown> {
  const input = { ...raw };
  for (const field of SERVER_FIELDS) delete input[field];
  homeOf(def).rules.expand?.(input);
  return input;
}

/**
 * Turns a request body into an entity ready to store: shorthands expanded, every field checked
 * against the entity's schema and its own rules, generated fields filled, secrets hashed,
 * foreign keys resolved to ids that exist (and that the caller may see), and its organization set.
 */
@Injectable()
export class EntityInput {
  constructor(private readonly store: EntityStore) {}

  async prepare(db: EntityManager, def: EntityDefinition, raw: Record<string, unknown>, ctx: InputContext): Promise<Record<string, unknown>> {
    const rules = homeOf(def).rules;
    const input = expandShorthands(def, raw);
    const organizationGiven = input[ORGANIZATION_FIELD] !== undefined && input[ORGANIZATION_FIELD] !== null;
    claimForProvider(def, input);
    const errors: FieldErrors = {};
    if (input.id !== undefined && !isUuid(input.id)) errors.id = 'expected a valid UUID';
    const { value, errors: fieldErrors } = validateRecord(def.fields, input, { coerce: ctx.fromForm }, def.entityChecks);
    Object.assign(errors, fieldErrors ?? {});
    rules.check?.(value, ctx, errors);
    if (Object.keys(errors).length > 0) throw schemaViolation(errors);

    await rules.generate?.(value);
    await this.resolveForeignKeys(db, def, value);
    await inheritOrganization(db, this.store, def, value, organizationGiven);
    return value;
  }

  private async resolveForeignKeys(db: EntityManager, def: EntityDefinition, value: Record<string, unknown>): Promise<void> {
    for (const [field, schema] of Object.entries(def.fields)) {
      const ref = value[field] as { id?: string; name?: string } | null | undefined;
      if (schema.type !== 'foreign' || !ref) continue;
      const target = findAdminEntity(schema.reference!)!;
      const find = () => (ref.id ? this.store.findById(db, target, ref.id) : this.store.findByEndpointKey(db, target, ref.name!));
      const anyTenant = homeOf(def).rules.referencesAnyTenant?.includes(field) === true;
      const row = await (anyTenant ? runAsCaller({ ...currentCaller(), role: 'operator', organizationId: null }, find) : find());
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
