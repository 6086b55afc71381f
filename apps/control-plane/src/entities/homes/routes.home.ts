import { routes } from '@tollgate/config';
import { withOrganization } from '../../organizations/organization-field';
import { defineHome } from '../entity-home';

export const routesHome = defineHome({
  definition: withOrganization(routes),
  tenancy: { kind: 'owned' },
  rules: { inheritsOrganizationFrom: ['service'] },
});
