import type { BasicauthCredential } from '@tollgate/config';
import { anonymousMissing, refuseOrAnonymous } from '../anonymous-consumer';
import type { PluginContext, PluginHandler, PluginResponse } from '../plugin-handler';
import { jsonResponse } from '../plugin-handler';
import { basicAuthSchema } from './schema';
import { passwordMatches } from './verified-passwords';

export interface BasicAuthConfig {
  readonly anonymous: string | null;
  readonly hide_credentials: boolean;
  readonly realm: string;
}

export interface PreparedBasicAuth {
  readonly anonymous: string | null;
  readonly hideCredentials: boolean;
  readonly unauthorized: PluginResponse;
  readonly anonymousMissing: PluginResponse | null;
}

const AUTHORIZATION = 'authorization';
const PROXY_AUTHORIZATION = 'proxy-authorization';
const BASIC = /\s*[Bb]asic\s*(.+)/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

function prepare(config: BasicAuthConfig): PreparedBasicAuth {
  return Object.freeze({
    anonymous: config.anonymous,
    hideCredentials: config.hide_credentials,
    unauthorized: jsonResponse(401, 'Unauthorized', ['WWW-Authenticate', `Basic realm="${config.realm}"`]),
    anonymousMissing: anonymousMissing(config.anonymous),
  });
}

interface Presented {
  readonly username: string;
  readonly password: string;
}

/** `Basic base64(username:password)`; the username is everything before the first colon. */
function parseBasic(value: string | undefined): Presented | null {
  if (value === undefined) return null;
  const encoded = BASIC.exec(value)?.[1]?.trim();
  if (encoded === undefined || encoded.length % 4 !== 0 || !BASE64.test(encoded)) return null;
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return null;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** Kong's order: Proxy-Authorization, then Authorization when the first names no credential. */
function findCredential(ctx: PluginContext, conf: PreparedBasicAuth): [BasicauthCredential, string] | null {
  const proxy = parseBasic(ctx.header(PROXY_AUTHORIZATION));
  if (conf.hideCredentials) ctx.clearUpstreamHeader(PROXY_AUTHORIZATION);
  const fromProxy = proxy === null ? undefined : ctx.directory.basicauthCredential(proxy.username);
  if (fromProxy !== undefined) return [fromProxy, proxy!.password];
  const plain = parseBasic(ctx.header(AUTHORIZATION));
  if (conf.hideCredentials) ctx.clearUpstreamHeader(AUTHORIZATION);
  const credential = plain === null ? undefined : ctx.directory.basicauthCredential(plain.username);
  return credential === undefined ? null : [credential, plain!.password];
}

function accept(ctx: PluginContext, conf: PreparedBasicAuth, credential: BasicauthCredential, right: boolean): void {
  const consumer = right ? ctx.directory.consumer(credential.consumer.id) : undefined;
  if (consumer === undefined) return refuseOrAnonymous(ctx, conf.anonymous, conf.anonymousMissing, conf.unauthorized);
  ctx.authenticate(consumer, credential, false, credential.username);
}

export const basicAuthHandler: PluginHandler<BasicAuthConfig, PreparedBasicAuth> = {
  name: basicAuthSchema.name,
  version: basicAuthSchema.version,
  priority: basicAuthSchema.priority,
  prepare,
  access(ctx, conf) {
    // With anonymous set, auth plugins combine as "any of": a credential found earlier wins.
    if (conf.anonymous !== null && ctx.credential !== null) return;
    const found = ctx.header(AUTHORIZATION) === undefined && ctx.header(PROXY_AUTHORIZATION) === undefined ? null : findCredential(ctx, conf);
    if (found === null) return refuseOrAnonymous(ctx, conf.anonymous, conf.anonymousMissing, conf.unauthorized);
    const [credential, password] = found;
    const right = passwordMatches(credential, password);
    if (typeof right === 'boolean') return accept(ctx, conf, credential, right);
    return right.then((verified) => accept(ctx, conf, credential, verified));
  },
};
