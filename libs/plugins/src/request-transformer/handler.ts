import { BodyTooLargeError, type PluginContext, type PluginHandler } from '../plugin-handler';
import { editJson, editParams, hasEdits, splitPair, type Pair, type ParamEdits } from './pairs';
import { requestTransformerSchema } from './schema';

interface Parts {
  readonly headers: readonly string[];
  readonly querystring: readonly string[];
  readonly body: readonly string[];
}

export interface RequestTransformerConfig {
  readonly http_method: string | null;
  readonly remove: Parts;
  readonly rename: Parts;
  readonly replace: Parts & { readonly uri: string | null };
  readonly add: Parts;
  readonly append: Parts;
}

export interface PreparedRequestTransformer {
  readonly method: string | null;
  /** GET, HEAD and TRACE carry a form body's parameters over to the query string. */
  readonly bodyToQuery: boolean;
  readonly uri: string | null;
  readonly headers: ParamEdits;
  readonly query: ParamEdits | null;
  readonly body: ParamEdits | null;
}

/** Bodies past this are proxied untouched (Kong reads what nginx buffered). */
const BODY_LIMIT = 8 * 1024 * 1024;
const HOST = 'host';
const COMMA = ', ';

function edits(config: RequestTransformerConfig, part: keyof Parts): ParamEdits {
  const pairs = (list: readonly string[]): Pair[] => list.map(splitPair);
  return {
    remove: config.remove[part],
    rename: pairs(config.rename[part]),
    replace: pairs(config.replace[part]),
    add: pairs(config.add[part]),
    append: pairs(config.append[part]),
  };
}

function prepare(config: RequestTransformerConfig): PreparedRequestTransformer {
  const method = config.http_method?.toUpperCase() ?? null;
  const query = edits(config, 'querystring');
  const body = edits(config, 'body');
  return Object.freeze({
    method,
    bodyToQuery: method === 'GET' || method === 'HEAD' || method === 'TRACE',
    uri: config.replace.uri,
    headers: edits(config, 'headers'),
    query: hasEdits(query) ? query : null,
    body: hasEdits(body) ? body : null,
  });
}

type BodyKind = 'json' | 'form' | 'multipart' | null;

function bodyKind(contentType: string | undefined): BodyKind {
  if (contentType === undefined) return null;
  const lower = contentType.toLowerCase();
  if (lower.includes('application/json')) return 'json';
  if (lower.includes('multipart/form-data')) return 'multipart';
  if (lower.includes('application/x-www-form-urlencoded')) return 'form';
  return null;
}

/** Headers in Kong's order; names compare without case, Host is only ever replaced. */
function transformHeaders(ctx: PluginContext, e: ParamEdits): void {
  for (const name of e.remove) ctx.clearUpstreamHeader(name);
  for (const [from, to] of e.rename) {
    const value = ctx.upstreamHeader(from.toLowerCase());
    if (value === undefined || from.toLowerCase() === to.toLowerCase()) continue;
    ctx.clearUpstreamHeader(from);
    ctx.setUpstreamHeader(to, value);
  }
  for (const [name, value] of e.replace) {
    const lower = name.toLowerCase();
    if (lower === HOST || ctx.upstreamHeader(lower) !== undefined) ctx.setUpstreamHeader(name, value);
  }
  for (const [name, value] of e.add) {
    const lower = name.toLowerCase();
    if (lower !== HOST && ctx.upstreamHeader(lower) === undefined) ctx.setUpstreamHeader(name, value);
  }
  for (const [name, value] of e.append) {
    const lower = name.toLowerCase();
    if (lower === HOST) continue;
    const current = ctx.upstreamHeader(lower);
    ctx.setUpstreamHeader(name, current === undefined ? value : current + COMMA + value);
  }
}

function transformedBody(kind: BodyKind, raw: Buffer, e: ParamEdits): Buffer | null {
  const hasInput = raw.length > 0;
  if (kind === 'form') {
    const params = new URLSearchParams(raw.toString('utf8'));
    editParams(params, e, hasInput);
    return Buffer.from(params.toString());
  }
  if (kind !== 'json') return null; // multipart bodies pass through untouched
  let parsed: unknown = {};
  if (hasInput) {
    try {
      parsed = JSON.parse(raw.toString('utf8'));
    } catch {
      return null; // not JSON after all: Kong leaves it alone
    }
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return null;
  const body = parsed as Record<string, unknown>;
  return editJson(body, e, hasInput) ? Buffer.from(JSON.stringify(body)) : null;
}

/** The body-dependent steps (the body itself, a form carried to the query), then the query string. */
async function transformWithBody(ctx: PluginContext, conf: PreparedRequestTransformer, kind: BodyKind, query: URLSearchParams | null): Promise<void> {
  let raw: Buffer;
  try {
    raw = await ctx.readBody(BODY_LIMIT);
  } catch (error) {
    if (!(error instanceof BodyTooLargeError)) throw error;
    return finishQuery(ctx, conf, query);
  }
  if (conf.bodyToQuery && kind === 'form' && raw.length > 0) {
    query ??= new URLSearchParams(ctx.rawQuery);
    for (const [name, value] of new URLSearchParams(raw.toString('utf8'))) query.append(name, value);
  }
  if (conf.body !== null) {
    const body = transformedBody(kind, raw, conf.body);
    if (body !== null) ctx.setUpstreamBody(body);
  }
  finishQuery(ctx, conf, query);
}

function finishQuery(ctx: PluginContext, conf: PreparedRequestTransformer, query: URLSearchParams | null): void {
  if (conf.query !== null) {
    query ??= new URLSearchParams(ctx.rawQuery);
    editParams(query, conf.query, true);
  }
  if (query !== null) ctx.setUpstreamQuery(query.toString());
}

export const requestTransformerHandler: PluginHandler<RequestTransformerConfig, PreparedRequestTransformer> = {
  name: requestTransformerSchema.name,
  version: requestTransformerSchema.version,
  priority: requestTransformerSchema.priority,
  prepare,
  access(ctx, conf) {
    if (conf.uri !== null) ctx.setUpstreamPath(conf.uri);
    if (conf.method !== null) ctx.setUpstreamMethod(conf.method);
    const kind = bodyKind(ctx.header('content-type'));
    transformHeaders(ctx, conf.headers);
    const needsBody = kind !== null && (conf.body !== null || (conf.bodyToQuery && kind === 'form'));
    if (needsBody) return transformWithBody(ctx, conf, kind, null);
    finishQuery(ctx, conf, null);
  },
};
