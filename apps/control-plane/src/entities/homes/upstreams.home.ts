import { splitHostPort, targets, upstreams } from '@tollgate/config';
import { withOrganization } from '../../organizations/organization-field';
import { defineHome } from '../entity-home';

export const upstreamsHome = defineHome({ definition: withOrganization(upstreams), tenancy: { kind: 'owned' } });

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
