import type { PluginContext, PluginHandler } from '../plugin-handler';
import { splitPair, type Pair } from '../request-transformer/pairs';
import { editJsonBody, jsonWrites, type JsonEdits, type JsonType } from './json-edits';
import { responseTransformerSchema } from './schema';

interface Names {
  readonly headers: readonly string[];
  readonly json: readonly string[];
}
interface Writes extends Names {
  readonly json_types: readonly JsonType[];
}

export interface ResponseTransformerConfig {
  readonly remove: Names;
  readonly rename: Names;
  readonly replace: Writes;
  readonly add: Writes;
  readonly append: Writes;
}

interface HeaderEdits {
  readonly remove: readonly string[];
  readonly rename: readonly Pair[];
  readonly replace: readonly Pair[];
  readonly add: readonly Pair[];
  readonly append: readonly Pair[];
}

export interface PreparedResponseTransformer {
  readonly headers: HeaderEdits;
  /** null when no json edit is configured: the body is never buffered then. */
  readonly json: JsonEdits | null;
}

/** Kong skips entries with an empty value. */
function pairs(list: readonly string[]): Pair[] {
  return list.map(splitPair).filter(([, value]) => value !== '');
}

function prepare(config: ResponseTransformerConfig): PreparedResponseTransformer {
  const json: JsonEdits = {
    remove: config.remove.json,
    rename: pairs(config.rename.json),
    replace: jsonWrites(config.replace.json, config.replace.json_types),
    add: jsonWrites(config.add.json, config.add.json_types),
    append: jsonWrites(config.append.json, config.append.json_types),
  };
  const anyJson = [config.remove, config.rename, config.replace, config.add, config.append].some((r) => r.json.length > 0);
  return Object.freeze({
    headers: {
      remove: config.remove.headers,
      rename: pairs(config.rename.headers),
      replace: pairs(config.replace.headers),
      add: pairs(config.add.headers),
      append: pairs(config.append.headers),
    },
    json: anyJson ? json : null,
  });
}

/** Any comma-separated media type of the Content-Type is application/json or a +json subtype. */
function isJson(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  for (const part of contentType.split(',')) {
    const media = part.split(';')[0]!.trim().toLowerCase();
    if (media === 'application/json' || (media.startsWith('application/') && media.endsWith('+json'))) return true;
  }
  return false;
}

/** A compressed body is passed on untouched rather than edited as bytes it is not. */
function isIdentity(encoding: string | undefined): boolean {
  return encoding === undefined || encoding.trim().toLowerCase() === 'identity';
}

function transformHeaders(ctx: PluginContext, e: HeaderEdits): void {
  for (const name of e.remove) ctx.clearResponseHeader(name);
  for (const [from, to] of e.rename) {
    const value = ctx.responseHeader(from);
    if (value === undefined) continue;
    ctx.clearResponseHeader(from);
    ctx.setResponseHeader(to, value);
  }
  for (const [name, value] of e.replace) if (ctx.responseHeader(name) !== undefined) ctx.setResponseHeader(name, value);
  for (const [name, value] of e.add) if (ctx.responseHeader(name) === undefined) ctx.setResponseHeader(name, value);
  for (const [name, value] of e.append) ctx.addResponseHeader(name, value);
}

export const responseTransformerHandler: PluginHandler<ResponseTransformerConfig, PreparedResponseTransformer> = {
  name: responseTransformerSchema.name,
  version: responseTransformerSchema.version,
  priority: responseTransformerSchema.priority,
  prepare,
  response(ctx, conf) {
    transformHeaders(ctx, conf.headers);
    if (conf.json !== null && isJson(ctx.responseHeader('content-type')) && isIdentity(ctx.responseHeader('content-encoding'))) {
      ctx.bufferResponseBody();
    }
  },
  responseBody(ctx, conf, body) {
    if (conf.json === null || !isJson(ctx.responseHeader('content-type')) || !isIdentity(ctx.responseHeader('content-encoding'))) return undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      return undefined; // Kong logs "failed parsing json body" and sends the body as it came
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
    editJsonBody(parsed as Record<string, unknown>, conf.json);
    return Buffer.from(JSON.stringify(parsed));
  },
};
