import type { PluginContext, PluginHandler, PluginResponse } from '../plugin-handler';
import { matchOrigin, originRules, type OriginRules } from './origin-rules';
import { corsSchema } from './schema';

export interface CorsConfig {
  readonly origins: readonly string[] | null;
  readonly headers: readonly string[] | null;
  readonly exposed_headers: readonly string[] | null;
  readonly methods: readonly string[] | null;
  readonly max_age: number | null;
  readonly credentials: boolean;
  readonly private_network: boolean;
  readonly preflight_continue: boolean;
  readonly allow_origin_absent: boolean;
}

export interface PreparedCors {
  readonly rules: OriginRules;
  readonly allowHeaders: string | null;
  readonly exposedHeaders: string | null;
  readonly methods: string;
  readonly maxAge: string | null;
  readonly credentials: boolean;
  readonly privateNetwork: boolean;
  readonly preflightContinue: boolean;
  readonly allowOriginAbsent: boolean;
}

const ACAO = 'Access-Control-Allow-Origin';
const DEFAULT_METHODS = 'GET,HEAD,PUT,PATCH,POST,DELETE,OPTIONS,TRACE,CONNECT';
const ACAC = 'Access-Control-Allow-Credentials';
const VARY = 'Vary';
const ORIGIN = 'Origin';
/** Kong answers a preflight with 200 and no body. */
const PREFLIGHT_OK: PluginResponse = Object.freeze({ status: 200, body: Buffer.alloc(0), contentType: '', headers: [] });

function prepare(config: CorsConfig): PreparedCors {
  return Object.freeze({
    rules: originRules(config.origins),
    allowHeaders: config.headers && config.headers.length > 0 ? config.headers.join(',') : null,
    exposedHeaders: config.exposed_headers && config.exposed_headers.length > 0 ? config.exposed_headers.join(',') : null,
    methods: config.methods?.join(',') ?? DEFAULT_METHODS,
    maxAge: config.max_age === null ? null : String(config.max_age),
    credentials: config.credentials,
    privateNetwork: config.private_network,
    preflightContinue: config.preflight_continue,
    allowOriginAbsent: config.allow_origin_absent,
  });
}

function isPreflight(ctx: PluginContext, origin: string | undefined): boolean {
  return ctx.method === 'OPTIONS' && !!origin && ctx.header('access-control-request-method') !== undefined;
}

/** Sets Access-Control-Allow-Origin; returns true when every origin is allowed (`*`). */
function configureOrigin(ctx: PluginContext, conf: PreparedCors, onResponse: boolean, origin: string | undefined): boolean {
  const rules = conf.rules;
  if (rules.allowAll || (rules.starAmongMany && origin)) {
    ctx.setResponseHeader(ACAO, '*');
    return true;
  }
  // Always vary on Origin, so caches keep one answer per origin.
  if (onResponse) ctx.addResponseHeader(VARY, ORIGIN);
  else ctx.setResponseHeader(VARY, ORIGIN);
  if (rules.single !== null) {
    ctx.setResponseHeader(ACAO, rules.single);
    return false;
  }
  const allowed = origin ? matchOrigin(rules, origin) : null;
  if (allowed !== null) ctx.setResponseHeader(ACAO, allowed);
  else ctx.clearResponseHeader(ACAO); // an upstream's own ACAO does not survive a refused origin
  return false;
}

function configureCredentials(ctx: PluginContext, conf: PreparedCors, allowAll: boolean, onResponse: boolean, origin: string | undefined): void {
  if (!conf.credentials) return;
  if (!allowAll) return ctx.setResponseHeader(ACAC, 'true');
  // A credentialed response may not allow `*`: allow the caller's origin instead.
  if (!origin) return;
  if (onResponse) ctx.addResponseHeader(VARY, ORIGIN);
  else ctx.setResponseHeader(VARY, ORIGIN);
  ctx.setResponseHeader(ACAO, origin);
  ctx.setResponseHeader(ACAC, 'true');
}

function answerPreflight(ctx: PluginContext, conf: PreparedCors, origin: string): void {
  const allowAll = configureOrigin(ctx, conf, false, origin);
  configureCredentials(ctx, conf, allowAll, false, origin);
  const requested = ctx.header('access-control-request-headers');
  const allowHeaders = conf.allowHeaders ?? requested;
  if (allowHeaders !== undefined) ctx.setResponseHeader('Access-Control-Allow-Headers', allowHeaders);
  ctx.setResponseHeader('Access-Control-Allow-Methods', conf.methods);
  if (conf.maxAge !== null) ctx.setResponseHeader('Access-Control-Max-Age', conf.maxAge);
  if (conf.privateNetwork && ctx.header('access-control-request-private-network') === 'true') {
    ctx.setResponseHeader('Access-Control-Allow-Private-Network', 'true');
  }
  ctx.exit(PREFLIGHT_OK);
}

export const corsHandler: PluginHandler<CorsConfig, PreparedCors> = {
  name: corsSchema.name,
  version: corsSchema.version,
  priority: corsSchema.priority,
  prepare,
  access(ctx, conf) {
    const origin = ctx.header('origin');
    if (conf.preflightContinue || !isPreflight(ctx, origin)) return;
    answerPreflight(ctx, conf, origin!);
  },
  response(ctx, conf) {
    const origin = ctx.header('origin');
    // A preflight was answered in access (or delegated upstream): its headers are complete.
    if (isPreflight(ctx, origin)) return;
    if (!origin && !conf.allowOriginAbsent) return;
    const allowAll = configureOrigin(ctx, conf, true, origin);
    configureCredentials(ctx, conf, allowAll, true, origin);
    if (conf.exposedHeaders !== null) ctx.setResponseHeader('Access-Control-Expose-Headers', conf.exposedHeaders);
  },
};
