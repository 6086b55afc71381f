import type { EntityDefinition } from '@tollgate/config';
import { adminTokensHome } from '../access/admin-tokens/admin-tokens.home';
import { plansHome } from '../marketplace/plans.home';
import { subscriptionsHome } from '../marketplace/subscriptions.home';
import { organizationsHome } from '../organizations/organizations.home';
import type { EntityHome } from './entity-home';
import { caCertificatesHome, certificatesHome, snisHome } from './homes/certificates.home';
import { aclsHome, basicauthCredentialsHome, consumersHome, hmacauthCredentialsHome, jwtSecretsHome, keyauthCredentialsHome } from './homes/consumers.home';
import { pluginsHome } from './homes/plugins.home';
import { routesHome } from './homes/routes.home';
import { servicesHome } from './homes/services.home';
import { targetsHome, upstreamsHome } from './homes/upstreams.home';

/** Every entity of the admin API, parents before children (the order writes and deletes use). */
export const ENTITY_HOMES: readonly EntityHome[] = Object.freeze([
  organizationsHome,
  adminTokensHome,
  certificatesHome,
  caCertificatesHome,
  snisHome,
  servicesHome,
  routesHome,
  consumersHome,
  upstreamsHome,
  targetsHome,
  pluginsHome,
  keyauthCredentialsHome,
  basicauthCredentialsHome,
  jwtSecretsHome,
  aclsHome,
  hmacauthCredentialsHome,
  plansHome,
  subscriptionsHome,
]);

/** The admin API's definitions: provider-ownable Kong entities carry an `organization` reference. */
export const ADMIN_ENTITIES: readonly EntityDefinition[] = Object.freeze(ENTITY_HOMES.map((h) => h.definition));

const byName = new Map(ENTITY_HOMES.map((h) => [h.definition.name, h]));

export function findAdminEntity(name: string): EntityDefinition | undefined {
  return byName.get(name)?.definition;
}

/** The home of an entity, found by collection name (a shared definition finds the admin one's). */
export function homeOf(def: EntityDefinition): EntityHome {
  const home = byName.get(def.name);
  if (!home) throw new Error(`entity ${def.name} has no home in entity-registry.ts`);
  return home;
}
