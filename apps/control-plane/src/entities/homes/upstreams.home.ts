import { splitHostPort, targets, upstreams } from '@tollgate/config';
import { withOrganization } from '../../organizations/organization-field';
import { defineHome } from '../entity-home';

export const upstreamsHome = defineHome({
  definition: withOrganization(upstreams),
  tenancy: { kind: 'owned' },
  rules: {
    // An upstream takes the traffic of every service whose host is its name: none of another organization's.
    async checkTenantReferences(db, value, organization, errors) {
      const rows: unknown[] = await db.query(
        'SELECT 1 FROM services WHERE host = $1 AND organization_id IS DISTINCT FROM $2 LIMIT 1',
        [value.name, organization],
      );
      if (rows.length > 0) errors.name = "is the host of a service outside this provider's organization";
    },
  },
});

export const targetsHome = defineHome({
  definition: targets,
  tenancy: { kind: 'inherited', field: 'upstream', parent: 'upstreams' },
  rules: {
    expand(input) {
      if (typeof input.target !== 'string') return;
      // A bare IPv6 address also ends in `:digits`: only a host parsed without a port gets Kong's 8000.
      const parts = splitHostPort(input.target);
      if (parts && parts.port === undefined) input.target = `${parts.host}:8000`;
    },
  },
});
