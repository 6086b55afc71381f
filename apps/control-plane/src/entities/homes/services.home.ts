import { parseServiceUrl, services } from '@tollgate/config';
import { withOrganization } from '../../organizations/organization-field';
import { defineHome } from '../entity-home';
import { schemaViolation } from '../entity-errors';

export const servicesHome = defineHome({
  definition: withOrganization(services),
  tenancy: { kind: 'owned' },
  rules: {
    expand(input) {
      if (input.url === undefined) return;
      const parsed = parseServiceUrl(input.url);
      if ('error' in parsed) throw schemaViolation({ url: parsed.error });
      delete input.url;
      Object.assign(input, parsed.fields);
    },
  },
});
