import { PluginConfigError } from '../plugin-config-error';
import type { PluginContext, PluginHandler, PluginResponse, RedisConnection, WindowCounts, WindowCounterStore } from '../plugin-handler';
import { jsonResponse } from '../plugin-handler';
import { rateLimitingSchema } from './schema';
import { ConfiguredWindows, RATE_PERIODS, type RateWindow } from './rate-windows';

export interface RateLimitingConfig {
  readonly second: number | null;
  readonly minute: number | null;
  readonly hour: number | null;
  readonly day: number | null;
  readonly month: number | null;
  readonly year: number | null;
  readonly limit_by: 'consumer' | 'credential' | 'ip' | 'service' | 'header' | 'path';
  readonly header_name: string | null;
  readonly path: string | null;
  readonly policy: 'local' | 'cluster' | 'redis';
  readonly fault_tolerant: boolean;
  readonly redis: RedisConnection;
  readonly hide_client_headers: boolean;
  readonly error_code: number;
  readonly error_message: string;
}

/** Everything a request needs, computed once per config: header names, limits as text, the 429. */
export interface PreparedRateLimiting {
  readonly limits: readonly number[];
  readonly limitTexts: readonly string[];
  readonly windows: ConfiguredWindows;
  readonly limitBy: RateLimitingConfig['limit_by'];
  readonly headerName: string;
  readonly path: string | null;
  readonly redis: RedisConnection | null;
  readonly faultTolerant: boolean;
  readonly hideHeaders: boolean;
  readonly rejection: PluginResponse;
}

const capitalized = RATE_PERIODS.map((p) => p[0]!.toUpperCase() + p.slice(1));
const LIMIT_HEADERS = capitalized.map((p) => `X-RateLimit-Limit-${p}`);
const REMAINING_HEADERS = capitalized.map((p) => `X-RateLimit-Remaining-${p}`);
const RATELIMIT_LIMIT = 'RateLimit-Limit';
const RATELIMIT_REMAINING = 'RateLimit-Remaining';
const RATELIMIT_RESET = 'RateLimit-Reset';
const RETRY_AFTER = 'Retry-After';
const STORE_FAILED = jsonResponse(500, 'An unexpected error occurred');

function prepare(config: RateLimitingConfig): PreparedRateLimiting {
  // Kong refuses `cluster` without a database (DB-less and hybrid): there is no shared table here.
  if (config.policy === 'cluster') {
    throw new PluginConfigError('config.policy', "'cluster' policy is not supported on data planes; use 'local' or 'redis'");
  }
  const limits = RATE_PERIODS.map((period) => config[period] ?? 0);
  const slots = limits.flatMap((limit, slot) => (limit > 0 ? [slot] : []));
  return Object.freeze({
    limits,
    limitTexts: limits.map(String),
    windows: new ConfiguredWindows(slots),
    limitBy: config.limit_by,
    headerName: config.header_name?.toLowerCase() ?? '',
    path: config.path,
    redis: config.policy === 'redis' ? config.redis : null,
    faultTolerant: config.fault_tolerant,
    hideHeaders: config.hide_client_headers,
    rejection: jsonResponse(config.error_code, config.error_message),
  });
}

/** Kong's identifiers; an unknown consumer, credential, header or path falls back to the client ip. */
function identify(ctx: PluginContext, conf: PreparedRateLimiting): string {
  let id: string | undefined;
  switch (conf.limitBy) {
    case 'consumer':
      id = ctx.consumer?.id ?? ctx.credential?.id;
      break;
    case 'credential':
      id = ctx.credential?.id;
      break;
    case 'service':
      id = ctx.service?.id;
      break;
    case 'header':
      id = ctx.header(conf.headerName);
      break;
    case 'path':
      id = ctx.path === conf.path ? conf.path : undefined;
      break;
  }
  return id || ctx.clientIp;
}

function secondsUntil(end: number, now: number): number {
  return Math.max(1, Math.ceil((end - now) / 1000));
}

/**
 * Sets Kong's headers and rejects when a window is over its limit. Counts include this request;
 * the RateLimit-* headers describe the tightest window (fewest remaining, then the longest).
 */
function enforce(ctx: PluginContext, conf: PreparedRateLimiting, windows: readonly RateWindow[], counts: WindowCounts, now: number): void {
  let exceeded: RateWindow | null = null;
  let tightest: RateWindow = windows[0]!;
  let tightestRemaining = Infinity;
  for (const window of windows) {
    const limit = conf.limits[window.slot]!;
    const count = counts[window.slot] ?? 0;
    const remaining = Math.max(0, limit - count);
    if (count > limit && exceeded === null) exceeded = window;
    if (remaining <= tightestRemaining) {
      tightest = window;
      tightestRemaining = remaining;
    }
    if (!conf.hideHeaders) {
      ctx.addResponseHeader(LIMIT_HEADERS[window.slot]!, conf.limitTexts[window.slot]!);
      ctx.addResponseHeader(REMAINING_HEADERS[window.slot]!, String(remaining));
    }
  }
  if (!conf.hideHeaders) {
    ctx.addResponseHeader(RATELIMIT_LIMIT, conf.limitTexts[tightest.slot]!);
    ctx.addResponseHeader(RATELIMIT_REMAINING, String(tightestRemaining));
    ctx.addResponseHeader(RATELIMIT_RESET, String(secondsUntil(tightest.end, now)));
  }
  if (exceeded !== null) {
    ctx.addResponseHeader(RETRY_AFTER, String(secondsUntil(exceeded.end, now)));
    ctx.exit(conf.rejection);
  }
}

function storeFailed(ctx: PluginContext, conf: PreparedRateLimiting, error: unknown): void {
  if (conf.faultTolerant) {
    ctx.services.warnThrottled('rate-limiting-store', 'rate-limiting counters unreachable: requests pass unlimited', error);
    return;
  }
  ctx.exit(STORE_FAILED);
}

function storeFor(ctx: PluginContext, conf: PreparedRateLimiting): WindowCounterStore {
  return conf.redis ? ctx.services.redisCounters(conf.redis) : ctx.services.nodeCounters;
}

export const rateLimitingHandler: PluginHandler<RateLimitingConfig, PreparedRateLimiting> = {
  name: rateLimitingSchema.name,
  version: rateLimitingSchema.version,
  priority: rateLimitingSchema.priority,
  prepare,
  access(ctx, conf) {
    const now = Date.now();
    const windows = conf.windows.at(now);
    // Kong's key shape: one counter per route, service and identifier.
    const key = `${ctx.route?.id ?? ''}:${ctx.service?.id ?? ''}:${identify(ctx, conf)}`;
    let counts: WindowCounts | Promise<WindowCounts>;
    try {
      counts = storeFor(ctx, conf).increment(key, windows);
    } catch (error) {
      return storeFailed(ctx, conf, error);
    }
    if (!(counts instanceof Promise)) return enforce(ctx, conf, windows, counts, now);
    return counts.then(
      (settled) => enforce(ctx, conf, windows, settled, now),
      (error: unknown) => storeFailed(ctx, conf, error),
    );
  },
};
