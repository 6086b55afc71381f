import { parseServiceUrl, services } from '@tollgate/config';
import { withOrganization } from '../../organizations/organization-field';
import { defineHome } from '../entity-home';
import { schemaViolation } from '../entity-errors';

export const servicesHome = defineHome({
  definition: withOrganization(services),
  tenancy: { kind: 'owned' },
  rules: {
    // A service whose host names an upstream is balanced over that upstream's targets: not another organization's.
    async checkTenantReferences(db, value, organization, errors) {
      const rows: unknown[] = await db.query(
        'SELECT 1 FROM upstreams WHERE name = $1 AND organization_id IS DISTINCT FROM $2 LIMIT 1',
        [value.host, organization],
      );
      if (rows.length > 0) errors.host = "names an upstream outside this provider's organization";
    },
    expand(input) {
      if (input.url === undefined) return;
      const parsed = parseServiceUrl(input.url);
      if ('error' in parsed) throw schemaViolation({ url: parsed.error });
      delete input.url;
      Object.assign(input, parsed.fields);
    },
  },
});
