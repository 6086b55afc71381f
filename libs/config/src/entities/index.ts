import type { EntityDefinition } from './entity-definition';
import { caCertificates, certificates, snis } from './certificates';
import { consumers } from './consumers';
import { acls, basicauthCredentials, hmacauthCredentials, jwtSecrets, keyauthCredentials } from './credentials';
import { plans, subscriptions } from './marketplace';
import { plugins } from './plugins';
import { routes } from './routes';
import { services } from './services';
import { targets, upstreams } from './upstreams';

export * from './entity-definition';
export { services, SERVICE_PROTOCOLS } from './services';
export { routes } from './routes';
export { consumers } from './consumers';
export { plugins } from './plugins';
export { upstreams, targets, healthchecksField } from './upstreams';
export { certificates, snis, caCertificates } from './certificates';
export { keyauthCredentials, basicauthCredentials, jwtSecrets, acls, hmacauthCredentials, JWT_ALGORITHMS } from './credentials';
export { parseServiceUrl } from './service-url';
export { plans, subscriptions, PLAN_INTERVALS, QUOTA_PERIODS, SUBSCRIPTION_STATUSES } from './marketplace';

/** Every Kong entity, parents before children (the order writes and snapshots use). */
export const ENTITIES: readonly EntityDefinition[] = Object.freeze([
  certificates,
  caCertificates,
  snis,
  services,
  routes,
  consumers,
  upstreams,
  targets,
  plugins,
  keyauthCredentials,
  basicauthCredentials,
  jwtSecrets,
  acls,
  hmacauthCredentials,
  plans,
  subscriptions,
]);

const byName = new Map(ENTITIES.map((e) => [e.name, e]));

export function findEntity(name: string): EntityDefinition | undefined {
  return byName.get(name);
}
