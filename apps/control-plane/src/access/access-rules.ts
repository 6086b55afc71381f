import { ENTITY_HOMES } from '../entities/entity-registry';
import type { EntityHome } from '../entities/entity-home';
import { FAMILY_RULES, type AccessFamily, type FamilyRule } from './access-families';
import type { Role } from './roles';

/** Fixed paths first: `/plugins/enabled` is information, not the plugins collection. */
const FIXED_PATHS: readonly (readonly [RegExp, AccessFamily])[] = [
  [/^\/$/, 'info'],
  [/^\/status$/, 'info'],
  [/^\/openapi\.json$/, 'info'],
  [/^\/plugins\/enabled$/, 'info'],
  [/^\/schemas\/(.+\/)?validate$/, 'schema-validation'],
  [/^\/schemas\//, 'info'],
  [/^\/tags(\/|$)/, 'tags'],
  [/^\/config$/, 'declarative-config'],
  [/^\/clustering\//, 'clustering'],
  [/^\/proxy-cache(\/|$)/, 'proxy-cache'],
  [/^\/apis(\/|$)/, 'legacy-apis'],
  [/^\/analytics\//, 'analytics'],
  [/^\/metrics$/, 'metrics'],
  [/^\/admin-tokens\/me$/, 'whoami'],
  [/^\/audit-log$/, 'audit-log'],
  [/^\/invoices(\/|$)/, 'billing'],
  [/^\/organizations\/[^/]+\/revenue$/, 'billing'],
  [/^\/subscriptions\/[^/]+\/usage$/, 'billing'],
];

function familyOfHome(home: EntityHome): AccessFamily {
  if (home.accessFamily) return home.accessFamily;
  switch (home.tenancy.kind) {
    case 'owned':
    case 'inherited':
      return 'provider-entities';
    case 'self':
      return 'organizations';
    case 'global':
      return 'operator-entities';
  }
}

/** An entity's routes (`/services...`, nested ones included) take the family of the first segment's entity. */
const BY_SEGMENT = new Map<string, AccessFamily>(ENTITY_HOMES.map((home) => [home.definition.adminPath, familyOfHome(home)]));

/** The family of a route pattern (`/services/:key`), or undefined for a route nobody gave a rule. */
export function familyOf(routePath: string): AccessFamily | undefined {
  for (const [pattern, family] of FIXED_PATHS) if (pattern.test(routePath)) return family;
  return BY_SEGMENT.get(routePath.split('/')[1] ?? '');
}

export function isReadMethod(method: string): boolean {
  return method === 'GET' || method === 'HEAD';
}

export function ruleOf(routePath: string): FamilyRule | undefined {
  const family = familyOf(routePath);
  return family === undefined ? undefined : FAMILY_RULES[family];
}

/** The roles that may call `method routePath`; undefined when the route has no rule. */
export function rolesFor(method: string, routePath: string): readonly Role[] | undefined {
  const rule = ruleOf(routePath);
  if (!rule) return undefined;
  return isReadMethod(method) ? rule.read : rule.write;
}
