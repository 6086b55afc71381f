import type { EntityDefinition, FieldSchema } from '@tollgate/config';

export const ORGANIZATION_FIELD = 'organization';

const organization: FieldSchema = {
  type: 'foreign',
  reference: 'organizations',
  on_delete: 'restrict',
  nested: false,
  nullable: true,
  description: "Marketplace provider owning this entity; null is the operator's own",
};

/**
 * The admin API's view of a Kong entity a provider can own: the shared definition plus an
 * `organization` reference. Data planes keep the shared definition: ownership never reaches them.
 */
export function withOrganization(def: EntityDefinition): EntityDefinition {
  return Object.freeze({ ...def, fields: Object.freeze({ ...def.fields, [ORGANIZATION_FIELD]: organization }) });
}
