import { defineEntity, type FieldMap } from '@tollgate/config';
import { defineHome } from '../entities/entity-home';
import type { EntityOf } from '../entities/entity-type';
import { Organizations1764202000000 } from './organizations.migration';

const ORGANIZATION_FIELDS = {
  name: { type: 'string', required: true, unique: true, check: 'name', len_max: 128, description: 'Unique name of the marketplace provider' },
} as const satisfies FieldMap;

/** A marketplace provider: a tenant of the admin API owning services, routes, plugins, upstreams and certificates. */
export type Organization = EntityOf<typeof ORGANIZATION_FIELDS>;

export const organizations = defineEntity({
  name: 'organizations',
  endpointKey: 'name',
  dataPlane: false,
  fields: ORGANIZATION_FIELDS,
});

export const organizationsHome = defineHome({ definition: organizations, tenancy: { kind: 'self' }, migrations: [Organizations1764202000000] });
