import type { PluginContext, PluginHandler, PluginResponse } from '../plugin-handler';
import { jsonResponse } from '../plugin-handler';
import { keyFromBody } from './body-key';
import { keyAuthSchema } from './schema';

export interface KeyAuthConfig {
  readonly key_names: readonly string[];
  readonly hide_credentials: boolean;
  readonly anonymous: string | null;
  readonly key_in_header: boolean;
  readonly key_in_query: boolean;
  readonly key_in_body: boolean;
  readonly run_on_preflight: boolean;
  readonly realm: string | null;
}

export interface PreparedKeyAuth {
  readonly keyNames: readonly string[];
  /** Request headers are looked up lower-cased (node's IncomingHttpHeaders). */
  readonly headerNames: readonly string[];
  readonly hideCredentials: boolean;
  readonly anonymous: string | null;
  readonly inHeader: boolean;
  readonly inQuery: boolean;
  readonly inBody: boolean;
  readonly runOnPreflight: boolean;
  readonly noKey: PluginResponse;
  readonly invalidKey: PluginResponse;
}

const ANONYMOUS_MISSING = jsonResponse(500, 'An unexpected error occurred');
/** Bodies past this are not searched for a key; they still reach the upstream whole. */
const BODY_SEARCH_LIMIT = 8 * 1024 * 1024;

function prepare(config: KeyAuthConfig): PreparedKeyAuth {
  const challenge = ['WWW-Authenticate', `Key realm="${config.realm ?? 'tollgate'}"`];
  return Object.freeze({
    keyNames: config.key_names,
    headerNames: config.key_names.map((name) => name.toLowerCase()),
    hideCredentials: config.hide_credentials,
    anonymous: config.anonymous,
    inHeader: config.key_in_header,
    inQuery: config.key_in_query,
    inBody: config.key_in_body,
    runOnPreflight: config.run_on_preflight,
    noKey: jsonResponse(401, 'No API key found in request', challenge),
    invalidKey: jsonResponse(401, 'Invalid authentication credentials', challenge),
  });
}

/** Kong's search order: for each key name, the header, then the query string. */
function keyFromRequest(ctx: PluginContext, conf: PreparedKeyAuth): string | undefined {
  for (let i = 0; i < conf.keyNames.length; i++) {
    if (conf.inHeader) {
      const headerName = conf.headerNames[i]!;
      const key = ctx.header(headerName);
      if (key !== undefined) {
        if (conf.hideCredentials) ctx.clearUpstreamHeader(headerName);
        return key;
      }
    }
    if (conf.inQuery && ctx.rawQuery !== '') {
      const query = ctx.queryArgs();
      const key = query.get(conf.keyNames[i]!);
      if (key !== null) {
        if (conf.hideCredentials) {
          query.delete(conf.keyNames[i]!);
          ctx.setUpstreamQuery(query.toString());
        }
        return key;
      }
    }
  }
  return undefined;
}

/** When authentication fails: run as the anonymous consumer if one is configured, else answer 401. */
function reject(ctx: PluginContext, conf: PreparedKeyAuth, response: PluginResponse): void {
  if (conf.anonymous === null) return ctx.exit(response);
  const anonymous = ctx.directory.consumer(conf.anonymous);
  if (!anonymous) return ctx.exit(ANONYMOUS_MISSING);
  ctx.authenticate(anonymous, null, true);
}

function authenticate(ctx: PluginContext, conf: PreparedKeyAuth, key: string | undefined): void {
  if (!key) return reject(ctx, conf, conf.noKey);
  const credential = ctx.directory.keyauthCredential(key);
  const consumer = credential?.consumer ? ctx.directory.consumer(credential.consumer.id) : undefined;
  if (!credential || !consumer) return reject(ctx, conf, conf.invalidKey);
  ctx.authenticate(consumer, credential, false);
}

export const keyAuthHandler: PluginHandler<KeyAuthConfig, PreparedKeyAuth> = {
  name: keyAuthSchema.name,
  version: keyAuthSchema.version,
  priority: keyAuthSchema.priority,
  prepare,
  access(ctx, conf) {
    if (!conf.runOnPreflight && ctx.method === 'OPTIONS') return;
    // With anonymous set, auth plugins combine as "any of": a credential found earlier wins.
    if (conf.anonymous !== null && ctx.credential !== null) return;
    const key = keyFromRequest(ctx, conf);
    if (key !== undefined || !conf.inBody) return authenticate(ctx, conf, key);
    return keyFromBody(ctx, conf.keyNames, conf.hideCredentials, BODY_SEARCH_LIMIT).then((found) => authenticate(ctx, conf, found));
  },
};
