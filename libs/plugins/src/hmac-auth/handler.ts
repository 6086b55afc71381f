import type { HmacauthCredential } from '@tollgate/config';
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { anonymousMissing, refuseOrAnonymous } from '../anonymous-consumer';
import type { PluginContext, PluginHandler, PluginResponse } from '../plugin-handler';
import { BodyTooLargeError, jsonResponse } from '../plugin-handler';
import { hmacAuthSchema } from './schema';
import { DIGESTS, parseHmacHeader, signingString, type HmacParams } from './signature';

export interface HmacAuthConfig {
  readonly hide_credentials: boolean;
  readonly clock_skew: number;
  readonly anonymous: string | null;
  readonly validate_request_body: boolean;
  readonly enforce_headers: readonly string[];
  readonly algorithms: readonly string[];
  readonly realm: string | null;
}

export interface PreparedHmacAuth {
  readonly hideCredentials: boolean;
  readonly clockSkewMs: number;
  readonly anonymous: string | null;
  readonly validateBody: boolean;
  readonly enforceHeaders: readonly string[];
  readonly algorithms: ReadonlySet<string>;
  readonly unauthorized: PluginResponse;
  readonly noDate: PluginResponse;
  readonly cannotVerify: PluginResponse;
  readonly doesNotMatch: PluginResponse;
  readonly anonymousMissing: PluginResponse | null;
}

const AUTHORIZATION = 'authorization';
const PROXY_AUTHORIZATION = 'proxy-authorization';
/** Bodies past this cannot be checked against their Digest, so they fail it. */
const BODY_LIMIT = 8 * 1024 * 1024;

function prepare(config: HmacAuthConfig): PreparedHmacAuth {
  const challenge = ['WWW-Authenticate', config.realm === null ? 'hmac' : `hmac realm="${config.realm}"`];
  return Object.freeze({
    hideCredentials: config.hide_credentials,
    clockSkewMs: config.clock_skew * 1000,
    anonymous: config.anonymous,
    validateBody: config.validate_request_body,
    enforceHeaders: config.enforce_headers,
    algorithms: new Set(config.algorithms),
    unauthorized: jsonResponse(401, 'Unauthorized', challenge),
    noDate: jsonResponse(401, 'HMAC signature cannot be verified, a valid date or x-date header is required for HMAC Authentication', challenge),
    cannotVerify: jsonResponse(401, 'HMAC signature cannot be verified', challenge),
    doesNotMatch: jsonResponse(401, 'HMAC signature does not match', challenge),
    anonymousMissing: anonymousMissing(config.anonymous),
  });
}

function withinSkew(value: string | undefined, skewMs: number): boolean {
  if (value === undefined) return false;
  const at = Date.parse(value);
  return !Number.isNaN(at) && Math.abs(Date.now() - at) <= skewMs;
}

/** Kong's order: Proxy-Authorization when it parses, else Authorization; the one used is hidden if asked. */
function presented(ctx: PluginContext, conf: PreparedHmacAuth): HmacParams | null {
  const proxy = parseHmacHeader(ctx.header(PROXY_AUTHORIZATION));
  if (proxy !== null) {
    if (conf.hideCredentials) ctx.clearUpstreamHeader(PROXY_AUTHORIZATION);
    return proxy;
  }
  if (conf.hideCredentials) ctx.clearUpstreamHeader(AUTHORIZATION);
  return parseHmacHeader(ctx.header(AUTHORIZATION));
}

function usable(params: HmacParams | null, conf: PreparedHmacAuth): params is HmacParams {
  if (params === null || params.username === '' || params.signature === '') return false;
  if (!conf.enforceHeaders.every((header) => params.headers.includes(header))) return false;
  return conf.algorithms.has(params.algorithm);
}

function signatureMatches(ctx: PluginContext, params: HmacParams, credential: HmacauthCredential): boolean {
  const expected = createHmac(DIGESTS[params.algorithm]!, credential.secret).update(signingString(ctx, params.headers)).digest();
  const given = Buffer.from(params.signature, 'base64');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function bodyMatches(body: Buffer, digest: string | undefined): boolean {
  if (digest === undefined) return body.length === 0;
  return digest === `SHA-256=${createHash('sha256').update(body).digest('base64')}`;
}

function accept(ctx: PluginContext, conf: PreparedHmacAuth, credential: HmacauthCredential): void {
  const consumer = ctx.directory.consumer(credential.consumer.id);
  if (consumer === undefined) return refuseOrAnonymous(ctx, conf.anonymous, conf.anonymousMissing, conf.doesNotMatch);
  ctx.authenticate(consumer, credential, false, credential.username);
}

/** Everything but the body; returns the refusal, or the credential the signature proves. */
function verify(ctx: PluginContext, conf: PreparedHmacAuth): PluginResponse | HmacauthCredential {
  if (ctx.header(AUTHORIZATION) === undefined && ctx.header(PROXY_AUTHORIZATION) === undefined) return conf.unauthorized;
  if (!withinSkew(ctx.header('x-date'), conf.clockSkewMs) && !withinSkew(ctx.header('date'), conf.clockSkewMs)) return conf.noDate;
  const params = presented(ctx, conf);
  if (!usable(params, conf)) return conf.cannotVerify;
  const credential = ctx.directory.hmacauthCredential(params.username);
  if (credential === undefined) return conf.cannotVerify;
  return signatureMatches(ctx, params, credential) ? credential : conf.doesNotMatch;
}

async function checkBody(ctx: PluginContext, conf: PreparedHmacAuth, credential: HmacauthCredential): Promise<void> {
  let body: Buffer;
  try {
    body = await ctx.readBody(BODY_LIMIT);
  } catch (error) {
    if (!(error instanceof BodyTooLargeError)) throw error;
    return refuseOrAnonymous(ctx, conf.anonymous, conf.anonymousMissing, conf.doesNotMatch);
  }
  if (!bodyMatches(body, ctx.header('digest'))) return refuseOrAnonymous(ctx, conf.anonymous, conf.anonymousMissing, conf.doesNotMatch);
  accept(ctx, conf, credential);
}

export const hmacAuthHandler: PluginHandler<HmacAuthConfig, PreparedHmacAuth> = {
  name: hmacAuthSchema.name,
  version: hmacAuthSchema.version,
  priority: hmacAuthSchema.priority,
  prepare,
  access(ctx, conf) {
    // With anonymous set, auth plugins combine as "any of": a credential found earlier wins.
    if (conf.anonymous !== null && ctx.credential !== null) return;
    const verified = verify(ctx, conf);
    if (!('secret' in verified)) return refuseOrAnonymous(ctx, conf.anonymous, conf.anonymousMissing, verified);
    if (conf.validateBody) return checkBody(ctx, conf, verified);
    accept(ctx, conf, verified);
  },
};
