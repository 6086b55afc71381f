import type { EntityDefinition } from '@tollgate/config';
import { homeOf } from '../entities/entity-registry';
import { providerOrganization } from './caller';

/**
 * The SQL condition (on an unaliased table) confining a provider to its organization's rows of
 * `def`, with its parameter appended to `params`; '' for callers who see everything. A row
 * outside it is simply not found: another organization's entity is a 404, never a 403.
 */
export function tenantCondition(def: EntityDefinition, params: unknown[]): string {
  const organization = providerOrganization();
  if (organization === null) return '';
  const tenancy = homeOf(def).tenancy;
  switch (tenancy.kind) {
    case 'owned':
      params.push(organization);
      return `organization_id = $${params.length}`;
    case 'self':
      params.push(organization);
      return `id = $${params.length}`;
    case 'inherited':
      params.push(organization);
      return `"${tenancy.field}_id" IN (SELECT id FROM "${tenancy.parent}" WHERE organization_id = $${params.length})`;
    case 'global':
      return 'false';
  }
}
