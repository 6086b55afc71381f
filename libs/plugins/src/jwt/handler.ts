import { anonymousMissing, refuseOrAnonymous } from '../anonymous-consumer';
import type { PluginContext, PluginHandler, PluginResponse } from '../plugin-handler';
import { jsonResponse } from '../plugin-handler';
import { verificationKey } from './jwt-keys';
import { decodeJwt, verifySignature, type DecodedJwt } from './jwt-token';
import { jwtSchema } from './schema';
import { findToken, MULTIPLE, type TokenSources } from './token-sources';
import { rememberedToken, rememberToken } from './verified-tokens';

export interface JwtConfig {
  readonly uri_param_names: readonly string[];
  readonly cookie_names: readonly string[];
  readonly header_names: readonly string[];
  readonly key_claim_name: string;
  readonly secret_is_base64: boolean;
  readonly claims_to_verify: readonly ('exp' | 'nbf')[] | null;
  readonly anonymous: string | null;
  readonly run_on_preflight: boolean;
  readonly maximum_expiration: number;
  readonly realm: string | null;
}

export interface PreparedJwt extends TokenSources {
  readonly keyClaim: string;
  readonly secretIsBase64: boolean;
  readonly verifyExp: boolean;
  readonly verifyNbf: boolean;
  readonly maximumExpiration: number;
  readonly anonymous: string | null;
  readonly runOnPreflight: boolean;
  /** WWW-Authenticate when no token was sent, and when a token was refused. */
  readonly challenge: readonly string[];
  readonly invalidChallenge: readonly string[];
  readonly unauthorized: PluginResponse;
  readonly anonymousMissing: PluginResponse | null;
}

function prepare(config: JwtConfig): PreparedJwt {
  const base = config.realm === null ? 'Bearer' : `Bearer realm="${config.realm}"`;
  const invalid = config.realm === null ? 'Bearer error="invalid_token"' : `${base}, error="invalid_token"`;
  const claims = config.claims_to_verify ?? [];
  return Object.freeze({
    uriParamNames: config.uri_param_names,
    cookieNames: config.cookie_names,
    headerNames: config.header_names.map((name) => name.toLowerCase()),
    keyClaim: config.key_claim_name,
    secretIsBase64: config.secret_is_base64,
    verifyExp: claims.includes('exp'),
    verifyNbf: claims.includes('nbf'),
    maximumExpiration: config.maximum_expiration,
    anonymous: config.anonymous,
    runOnPreflight: config.run_on_preflight,
    challenge: ['WWW-Authenticate', base],
    invalidChallenge: ['WWW-Authenticate', invalid],
    unauthorized: jsonResponse(401, 'Unauthorized', ['WWW-Authenticate', base]),
    anonymousMissing: anonymousMissing(config.anonymous),
  });
}

function refused(conf: PreparedJwt, message: string): PluginResponse {
  return jsonResponse(401, message, conf.invalidChallenge);
}

/** Registered claims (RFC 7519 4.1) the config asks for, and maximum_expiration; Kong's error body. */
function claimErrors(jwt: DecodedJwt, conf: PreparedJwt): Record<string, string> | null {
  const now = Math.floor(Date.now() / 1000);
  let errors: Record<string, string> | null = null;
  const { exp, nbf } = jwt.claims;
  if (conf.verifyNbf) {
    if (typeof nbf !== 'number') (errors ??= {}).nbf = 'must be a number';
    else if (nbf > now) (errors ??= {}).nbf = 'token not valid yet';
  }
  if (conf.verifyExp) {
    if (typeof exp !== 'number') (errors ??= {}).exp = 'must be a number';
    else if (exp <= now) (errors ??= {}).exp = 'token expired';
  }
  if (errors === null && conf.maximumExpiration > 0 && (typeof exp !== 'number' || exp - now > conf.maximumExpiration)) {
    errors = { exp: 'exceeds maximum allowed expiration' };
  }
  return errors;
}

/** Authenticates the request, or returns the refusal Kong answers. */
function authenticate(ctx: PluginContext, conf: PreparedJwt): PluginResponse | null {
  const token = findToken(ctx, conf);
  if (token === undefined) return conf.unauthorized;
  if (token === MULTIPLE) return refused(conf, 'Multiple tokens provided');
  const known = rememberedToken(token, ctx.directory, conf.keyClaim, conf.secretIsBase64);
  if (known !== null) return accept(ctx, conf, known);
  const jwt = decodeJwt(token);
  if (typeof jwt === 'string') return refused(conf, `Bad token; ${jwt}`);
  const key = jwt.claims[conf.keyClaim] ?? jwt.header[conf.keyClaim];
  if (key === undefined || key === null) return refused(conf, `No mandatory '${conf.keyClaim}' in claims`);
  if (typeof key !== 'string' || key === '') return refused(conf, `Invalid '${conf.keyClaim}' in claims`);
  const secret = ctx.directory.jwtSecret(key);
  if (secret === undefined) return refused(conf, `No credentials found for given '${conf.keyClaim}'`);
  if (jwt.alg !== secret.algorithm) return refused(conf, 'Invalid algorithm');
  const verifyWith = verificationKey(secret, conf.secretIsBase64);
  if (verifyWith === null) return refused(conf, 'Invalid key/secret');
  if (!verifySignature(jwt, verifyWith)) return refused(conf, 'Invalid signature');
  rememberToken(token, secret, jwt, conf.secretIsBase64);
  return accept(ctx, conf, jwt);
}

/** A token whose signature checked out: its claims, then its consumer. */
function accept(ctx: PluginContext, conf: PreparedJwt, jwt: DecodedJwt): PluginResponse | null {
  const errors = claimErrors(jwt, conf);
  if (errors !== null) return { status: 401, body: Buffer.from(JSON.stringify(errors)), contentType: 'application/json; charset=utf-8', headers: conf.invalidChallenge };
  const key = (jwt.claims[conf.keyClaim] ?? jwt.header[conf.keyClaim]) as string;
  const secret = ctx.directory.jwtSecret(key)!;
  const consumer = ctx.directory.consumer(secret.consumer.id);
  if (consumer === undefined) return jsonResponse(401, `Could not find consumer for '${conf.keyClaim}=${key}'`);
  ctx.authenticate(consumer, secret, false, secret.key);
  return null;
}

export const jwtHandler: PluginHandler<JwtConfig, PreparedJwt> = {
  name: jwtSchema.name,
  version: jwtSchema.version,
  priority: jwtSchema.priority,
  prepare,
  access(ctx, conf) {
    if (!conf.runOnPreflight && ctx.method === 'OPTIONS') return;
    // With anonymous set, auth plugins combine as "any of": a credential found earlier wins.
    if (conf.anonymous !== null && ctx.credential !== null) return;
    const refusal = authenticate(ctx, conf);
    if (refusal !== null) refuseOrAnonymous(ctx, conf.anonymous, conf.anonymousMissing, refusal);
  },
};
