/**
 * Parts of Kong's declarative format that Tollgate cannot honour. A file using them is refused
 * with these reasons rather than loaded with part of its meaning silently dropped.
 */
const ENTERPRISE_GROUPS = 'consumer groups are a Kong Enterprise feature Tollgate does not have';
const OAUTH2 = 'the oauth2 plugin is not available in Tollgate';

const UNSUPPORTED_ENTITIES: Readonly<Record<string, string>> = {
  consumer_groups: ENTERPRISE_GROUPS,
  consumer_group_consumers: ENTERPRISE_GROUPS,
  consumer_group_plugins: ENTERPRISE_GROUPS,
  vaults: 'secret vaults ({vault://...} references) are not supported',
  oauth2_credentials: OAUTH2,
  oauth2_tokens: OAUTH2,
  oauth2_authorization_codes: OAUTH2,
  mtls_auth_credentials: 'the mtls-auth plugin (Kong Enterprise) is not available in Tollgate',
  key_sets: 'key sets are not supported',
  keys: 'key sets are not supported',
  filter_chains: 'WebAssembly filter chains are not supported',
  workspaces: 'workspaces are a Kong Enterprise feature Tollgate does not have',
  licenses: 'licenses are a Kong Enterprise feature Tollgate does not have',
  partials: 'partials are a Kong Enterprise feature Tollgate does not have',
  event_hooks: 'event hooks are a Kong Enterprise feature Tollgate does not have',
  degraphql_routes: 'the degraphql plugin (Kong Enterprise) is not available in Tollgate',
  parameters: 'the parameters entity is internal to Kong and not configurable',
  clustering_data_planes: 'data planes register themselves; they are not configured',
};

const EXPRESSIONS = 'the expressions router is not supported; match with paths, hosts, methods, headers and snis';
const STREAM = 'stream routes (sources and destinations) are not supported';
const STICKY = 'the sticky-sessions balancer is not supported';

const UNSUPPORTED_FIELDS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  routes: { expression: EXPRESSIONS, priority: EXPRESSIONS, sources: STREAM, destinations: STREAM },
  plugins: {
    consumer_group: ENTERPRISE_GROUPS,
    ordering: 'dynamic plugin ordering is a Kong Enterprise feature Tollgate does not have',
  },
  consumers: { groups: ENTERPRISE_GROUPS },
  upstreams: { sticky_sessions_cookie: STICKY, sticky_sessions_cookie_path: STICKY },
};

/** Why a top-level key that names a Kong entity is refused, if it does. */
export function unsupportedEntity(key: string): string | undefined {
  if (key.startsWith('rbac_')) return 'RBAC is a Kong Enterprise feature; Tollgate has admin tokens';
  return UNSUPPORTED_ENTITIES[key];
}

/** Why a field (or nested collection) of an entity is refused, if Kong has it and Tollgate not. */
export function unsupportedField(collection: string, field: string): string | undefined {
  return UNSUPPORTED_FIELDS[collection]?.[field] ?? unsupportedEntity(field);
}
