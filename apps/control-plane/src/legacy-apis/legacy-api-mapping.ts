import { isPlainObject, type FieldErrors } from '@tollgate/config';

/**
 * Kong 0.x `/apis`: one object that Tollgate stores as a service and a route. Both the 0.5-0.9
 * fields (request_host, request_path, strip_request_path) and the 0.10-0.14 ones (hosts, uris,
 * methods, strip_uri) are understood.
 */
const KNOWN = new Set([
  'id', 'name', 'upstream_url', 'request_host', 'request_path', 'strip_request_path', 'preserve_host',
  'hosts', 'uris', 'methods', 'strip_uri', 'https_only', 'http_if_terminated', 'retries',
  'upstream_connect_timeout', 'upstream_send_timeout', 'upstream_read_timeout', 'created_at', 'tags',
]);

export interface LegacyApiMapping {
  readonly service: Record<string, unknown>;
  readonly route: Record<string, unknown>;
}

function list(value: unknown): unknown {
  // Kong 0.x took comma-separated lists in forms: hosts=a.com,b.com
  if (typeof value === 'string') return value.split(',').map((v) => v.trim()).filter((v) => v.length > 0);
  return value;
}

function flag(value: unknown): unknown {
  if (value === 'true') return true;
  if (value === 'false') return false;
  return value;
}

export function mapLegacyApi(api: Record<string, unknown>): { mapping?: LegacyApiMapping; errors?: FieldErrors } {
  const errors: FieldErrors = {};
  for (const key of Object.keys(api)) if (!KNOWN.has(key)) errors[key] = 'unknown field';
  if (typeof api.name !== 'string' || api.name.length === 0) errors.name = 'required field missing';
  if (api.upstream_url === undefined) errors.upstream_url = 'required field missing';
  const legacyStyle = api.request_host !== undefined || api.request_path !== undefined;
  const hosts = legacyStyle ? (api.request_host === undefined ? undefined : [api.request_host]) : list(api.hosts);
  const paths = legacyStyle ? (api.request_path === undefined ? undefined : [api.request_path]) : list(api.uris);
  const methods = list(api.methods);
  if (hosts === undefined && paths === undefined && methods === undefined) {
    errors['@entity'] = ["at least one of these fields must be non-empty: 'request_host', 'request_path', 'hosts', 'uris', 'methods'"];
  }
  if (Object.keys(errors).length > 0) return { errors };
  const stripPath = legacyStyle ? flag(api.strip_request_path ?? false) : flag(api.strip_uri ?? true);
  const service: Record<string, unknown> = { name: api.name, url: api.upstream_url };
  if (api.retries !== undefined) service.retries = api.retries;
  if (api.upstream_connect_timeout !== undefined) service.connect_timeout = api.upstream_connect_timeout;
  if (api.upstream_send_timeout !== undefined) service.write_timeout = api.upstream_send_timeout;
  if (api.upstream_read_timeout !== undefined) service.read_timeout = api.upstream_read_timeout;
  if (api.tags !== undefined) service.tags = api.tags;
  const route: Record<string, unknown> = {
    name: api.name,
    strip_path: stripPath,
    preserve_host: flag(api.preserve_host ?? false),
    protocols: flag(api.https_only) === true ? ['https'] : ['http', 'https'],
  };
  if (hosts !== undefined) route.hosts = hosts;
  if (paths !== undefined) route.paths = paths;
  if (methods !== undefined) route.methods = methods;
  if (api.tags !== undefined) route.tags = api.tags;
  return { mapping: { service, route } };
}

/** The 0.x representation returned by `/apis`, from what the caller sent and the stored ids. */
export function presentLegacyApi(row: { id: string; created_at: number; definition: unknown }): Record<string, unknown> {
  const definition = isPlainObject(row.definition) ? row.definition : {};
  return { ...definition, id: row.id, created_at: row.created_at * 1000 };
}
