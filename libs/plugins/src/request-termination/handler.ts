import { hostname } from 'node:os';
import type { PluginContext, PluginHandler, PluginResponse } from '../plugin-handler';
import { jsonResponse } from '../plugin-handler';
import { requestTerminationSchema } from './schema';

export interface RequestTerminationConfig {
  readonly status_code: number;
  readonly message: string | null;
  readonly content_type: string | null;
  readonly body: string | null;
  readonly echo: boolean;
  readonly trigger: string | null;
}

export interface PreparedRequestTermination {
  readonly status: number;
  readonly message: string | null;
  /** What is answered when not echoing, built once. */
  readonly response: PluginResponse;
  readonly echo: boolean;
  readonly triggerHeader: string | null;
  readonly trigger: string | null;
}

/** Kong's default messages by status; other statuses answer an empty body. */
const DEFAULT_MESSAGES: Readonly<Record<number, string>> = {
  401: 'Unauthorized',
  404: 'Not found',
  405: 'Method not allowed',
  500: 'An unexpected error occurred',
  502: 'Bad Gateway',
  503: 'Service unavailable',
};
/** Bodies past this are echoed as their first bytes only. */
const ECHO_BODY_LIMIT = 1024 * 1024;
const JSON_TYPE = 'application/json; charset=utf-8';
const HOSTNAME = hostname();

function prepare(config: RequestTerminationConfig): PreparedRequestTermination {
  const status = config.status_code;
  const message = config.message ?? DEFAULT_MESSAGES[status] ?? null;
  let response: PluginResponse;
  // Kong's proxy sends no Content-Type for a body without content_type.
  if (config.body !== null) response = Object.freeze({ status, body: Buffer.from(config.body), contentType: config.content_type ?? '', headers: [] });
  else if (message !== null) response = jsonResponse(status, message);
  else response = Object.freeze({ status, body: Buffer.alloc(0), contentType: '', headers: [] });
  return Object.freeze({ status, message, response, echo: config.echo, triggerHeader: config.trigger?.toLowerCase() ?? null, trigger: config.trigger });
}

function parsedBody(ctx: PluginContext, raw: Buffer): unknown {
  const type = (ctx.header('content-type') ?? '').toLowerCase();
  try {
    if (type.startsWith('application/json')) return JSON.parse(raw.toString('utf8'));
  } catch {
    return undefined;
  }
  if (type.startsWith('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(raw.toString('latin1')));
  return undefined;
}

function queryObject(ctx: PluginContext): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of ctx.queryArgs()) {
    const seen = out[name];
    out[name] = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value];
  }
  return out;
}

/** Kong's shape: named groups by name, positional ones from the first group on. */
function uriCaptures(captures: Readonly<Record<string, string>> | null): { named: Record<string, string>; unnamed: string[] } {
  const named: Record<string, string> = {};
  const unnamed: string[] = [];
  for (const [key, value] of Object.entries(captures ?? {})) {
    if (!/^\d+$/.test(key)) named[key] = value;
    else if (key !== '0') unnamed[Number(key) - 1] = value;
  }
  return { named, unnamed };
}

/** Kong's echo: the request as the gateway saw it, and what it matched. */
async function echo(ctx: PluginContext, conf: PreparedRequestTermination): Promise<void> {
  const raw = await ctx.readBody(ECHO_BODY_LIMIT).catch(() => Buffer.alloc(0));
  const host = (ctx.header('host') ?? '').replace(/:\d+$/, '');
  const content = {
    message: conf.message ?? undefined,
    kong: { node_id: null, worker_pid: process.pid, hostname: HOSTNAME },
    request: {
      scheme: ctx.scheme,
      host,
      port: ctx.connection().localPort,
      headers: ctx.headers,
      query: queryObject(ctx),
      body: parsedBody(ctx, raw),
      raw_body: raw.toString('utf8'),
      method: ctx.method,
      path: ctx.path,
      uri_captures: uriCaptures(ctx.uriCaptures),
    },
    matched_route: ctx.route,
    matched_service: ctx.service,
  };
  ctx.exit({ status: conf.status, body: Buffer.from(JSON.stringify(content)), contentType: JSON_TYPE, headers: [] });
}

export const requestTerminationHandler: PluginHandler<RequestTerminationConfig, PreparedRequestTermination> = {
  name: requestTerminationSchema.name,
  version: requestTerminationSchema.version,
  priority: requestTerminationSchema.priority,
  prepare,
  access(ctx, conf) {
    if (conf.trigger !== null && ctx.header(conf.triggerHeader!) === undefined && (ctx.rawQuery === '' || !ctx.queryArgs().has(conf.trigger))) return;
    if (conf.echo) return echo(ctx, conf);
    ctx.exit(conf.response);
  },
};
