import {
  acls,
  basicauthCredentials,
  caCertificates,
  certificates,
  consumers,
  hmacauthCredentials,
  jwtSecrets,
  keyauthCredentials,
  plans,
  plugins,
  routes,
  services,
  snis,
  subscriptions,
  targets,
  upstreams,
  type EntityDefinition,
} from '../entities';
import { ENTITIES } from '../entities';
import type { ConfigEntities, EntityCollection } from './entity-types';

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type FieldsOf<D> = D extends EntityDefinition<infer F> ? Extract<keyof F, string> : never;
type InterfaceFields<C extends EntityCollection> = Extract<keyof ConfigEntities[C][number], string>;

/**
 * The snapshot interfaces beside the definitions that validate them: a field added to one and
 * not the other fails the typecheck here (`true` is not assignable to `false`).
 */
const SAME_FIELDS: { readonly [C in EntityCollection]: true } = {
  services: true satisfies Same<InterfaceFields<'services'>, FieldsOf<typeof services>>,
  routes: true satisfies Same<InterfaceFields<'routes'>, FieldsOf<typeof routes>>,
  consumers: true satisfies Same<InterfaceFields<'consumers'>, FieldsOf<typeof consumers>>,
  plugins: true satisfies Same<InterfaceFields<'plugins'>, FieldsOf<typeof plugins>>,
  upstreams: true satisfies Same<InterfaceFields<'upstreams'>, FieldsOf<typeof upstreams>>,
  targets: true satisfies Same<InterfaceFields<'targets'>, FieldsOf<typeof targets>>,
  certificates: true satisfies Same<InterfaceFields<'certificates'>, FieldsOf<typeof certificates>>,
  snis: true satisfies Same<InterfaceFields<'snis'>, FieldsOf<typeof snis>>,
  ca_certificates: true satisfies Same<InterfaceFields<'ca_certificates'>, FieldsOf<typeof caCertificates>>,
  keyauth_credentials: true satisfies Same<InterfaceFields<'keyauth_credentials'>, FieldsOf<typeof keyauthCredentials>>,
  basicauth_credentials: true satisfies Same<InterfaceFields<'basicauth_credentials'>, FieldsOf<typeof basicauthCredentials>>,
  jwt_secrets: true satisfies Same<InterfaceFields<'jwt_secrets'>, FieldsOf<typeof jwtSecrets>>,
  acls: true satisfies Same<InterfaceFields<'acls'>, FieldsOf<typeof acls>>,
  hmacauth_credentials: true satisfies Same<InterfaceFields<'hmacauth_credentials'>, FieldsOf<typeof hmacauthCredentials>>,
  plans: true satisfies Same<InterfaceFields<'plans'>, FieldsOf<typeof plans>>,
  subscriptions: true satisfies Same<InterfaceFields<'subscriptions'>, FieldsOf<typeof subscriptions>>,
};

describe('snapshot entity interfaces and entity definitions', () => {
  it('name the same fields (checked at compile time) for every collection a data plane receives', () => {
    expect(Object.keys(SAME_FIELDS).sort()).toEqual(ENTITIES.map((d) => d.name).sort());
  });
});
