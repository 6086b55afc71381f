import { type EntityDefinition } from '@tollgate/config';
import type { EntityManager } from 'typeorm';
import { AccessDenied } from '../access/access-denied';
import { providerOrganization } from '../access/caller';
import { notFound, schemaViolation } from '../entities/entity-errors';
import { findAdminEntity, homeOf } from '../entities/entity-registry';
import type { EntityStore } from '../entities/entity-store';
import { ORGANIZATION_FIELD } from './organization-field';

/**
 * Before validation: what a provider creates is its organization's without saying so. Naming
 * another organization fails foreign-key resolution, which sees only the provider's own.
 */
export function claimForProvider(def: EntityDefinition, input: Record<string, unknown>): void {
  const organization = providerOrganization();
  if (organization === null || homeOf(def).tenancy.kind !== 'owned') return;
  if (input[ORGANIZATION_FIELD] === undefined) input[ORGANIZATION_FIELD] = { id: organization };
  else if (input[ORGANIZATION_FIELD] === null) throw schemaViolation({ [ORGANIZATION_FIELD]: "a provider's entities belong to its organization" });
}

/**
 * After foreign keys are resolved: a route or plugin belongs to the organization of what it is
 * attached to, which must agree among its parents and with an organization given explicitly.
 */
export async function inheritOrganization(
  db: EntityManager,
  store: EntityStore,
  def: EntityDefinition,
  value: Record<string, unknown>,
  given: boolean,
): Promise<void> {
  const fields = homeOf(def).rules.inheritsOrganizationFrom;
  if (!fields) return;
  let inherited: { field: string; organization: string | null } | undefined;
  for (const field of fields) {
    const ref = value[field] as { id: string } | null | undefined;
    if (!ref) continue;
    const parent = await store.findById(db, findAdminEntity(def.fields[field]!.reference!)!, ref.id);
    const organization = (parent?.organization_id as string | null | undefined) ?? null;
    if (inherited && inherited.organization !== organization) {
      throw schemaViolation({ [field]: `belongs to another organization than the ${inherited.field}` });
    }
    inherited = { field, organization };
  }
  if (!inherited) {
    if (providerOrganization() !== null && homeOf(def).rules.providerMustAttach) {
      throw new AccessDenied(403, `a provider may not create a global ${def.name.replace(/s$/, '')}: attach it to one of ${fields.join(', ')}`);
    }
    return;
  }
  const current = (value[ORGANIZATION_FIELD] as { id: string } | null | undefined)?.id ?? null;
  if (given && current !== inherited.organization) {
    throw schemaViolation({ [ORGANIZATION_FIELD]: `must be the organization of its ${inherited.field}` });
  }
  value[ORGANIZATION_FIELD] = inherited.organization === null ? null : { id: inherited.organization };
}

/**
 * A provider's PUT of an id it cannot see: the id belongs to another organization's entity, so
 * it is a 404 like every other look at that entity (creating it would fail on the taken id, saying so).
 */
export async function refuseHiddenId(db: EntityManager, def: EntityDefinition, id: string): Promise<void> {
  if (providerOrganization() === null) return;
  const rows: unknown[] = await db.query(`SELECT 1 FROM "${def.name}" WHERE id = $1`, [id]);
  if (rows.length > 0) throw notFound(def, id);
}
