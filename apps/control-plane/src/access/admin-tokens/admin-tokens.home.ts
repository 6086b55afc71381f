import { defineEntity, type FieldMap } from '@tollgate/config';
import { defineHome } from '../../entities/entity-home';
import type { EntityOf } from '../../entities/entity-type';
import { ROLES } from '../roles';
import { AdminTokens1764202100000 } from './admin-tokens.migration';

const ADMIN_TOKEN_FIELDS = {
  name: { type: 'string', required: true, len_min: 1, len_max: 128, description: 'What the token is for' },
  role: { type: 'string', required: true, one_of: ROLES, description: 'What the token may do' },
  organization: {
    type: 'foreign',
    reference: 'organizations',
    on_delete: 'cascade',
    nested: false,
    nullable: true,
    description: "The provider's organization (provider tokens only)",
  },
  expires_at: { type: 'integer', nullable: true, between: [0, 253402300799], description: 'Unix time in seconds after which the token is refused' },
  token_hash: { type: 'string', auto: true, write_only: true, encrypted: true, description: 'SHA-256 of the secret; the secret itself is never stored' },
} as const satisfies FieldMap;

/** An admin API credential as the API lists it: never the secret. */
export type AdminToken = EntityOf<typeof ADMIN_TOKEN_FIELDS>;

export const adminTokens = defineEntity({
  name: 'admin_tokens',
  adminPath: 'admin-tokens',
  dataPlane: false,
  fields: ADMIN_TOKEN_FIELDS,
  entityChecks: [
    { conditional: { if_field: 'role', if_match: { one_of: ['provider'] }, then_field: 'organization', then_match: { required: true } } },
    {
      conditional: {
        if_field: 'role',
        if_match: { one_of: ROLES.filter((r) => r !== 'provider') },
        then_field: 'organization',
        then_match: { eq: null },
      },
    },
  ],
});

export const adminTokensHome = defineHome({ definition: adminTokens, crud: 'custom', accessFamily: 'admin-tokens', migrations: [AdminTokens1764202100000] });
