import { PluginConfigError } from '../plugin-config-error';
import { jsonResponse, type PluginContext, type PluginHandler, type PluginResponse, type RedisConnection, type WindowCounts, type WindowCounterStore } from '../plugin-handler';
import { ConfiguredWindows, RATE_PERIODS } from '../rate-limiting/rate-windows';
import { parseIncrements } from './increments';
import { responseRatelimitingSchema } from './schema';

type Periods = Readonly<Record<(typeof RATE_PERIODS)[number], number | null>>;

export interface ResponseRatelimitingConfig {
  readonly header_name: string;
  readonly limit_by: 'consumer' | 'credential' | 'ip';
  readonly policy: 'local' | 'cluster' | 'redis';
  readonly fault_tolerant: boolean;
  readonly redis: RedisConnection;
  readonly block_on_first_violation: boolean;
  readonly hide_client_headers: boolean;
  readonly limits: Readonly<Record<string, Periods>>;
}

/** One named limit, with what a request needs made once per config. */
interface NamedLimit {
  readonly name: string;
  readonly slots: readonly number[];
  /** Units allowed, by slot. */
  readonly allowed: readonly number[];
  readonly windows: ConfiguredWindows;
  readonly upstreamHeader: string;
  readonly limitHeaders: readonly string[];
  readonly remainingHeaders: readonly string[];
  readonly exceeded: PluginResponse;
}

export interface PreparedResponseRatelimiting {
  readonly headerName: string;
  readonly limitBy: ResponseRatelimitingConfig['limit_by'];
  readonly redis: RedisConnection | null;
  readonly faultTolerant: boolean;
  readonly block: boolean;
  readonly hideHeaders: boolean;
  readonly limits: readonly NamedLimit[];
  readonly names: ReadonlySet<string>;
}

/** What access learnt (remaining per limit and slot) and what the response said it used. */
interface Usage {
  readonly identifier: string;
  readonly remaining: number[][];
  increments: ReadonlyMap<string, number> | null;
}

const STORE_FAILED = jsonResponse(500, 'An unexpected error occurred');

function prepare(config: ResponseRatelimitingConfig): PreparedResponseRatelimiting {
  if (config.policy === 'cluster') {
    throw new PluginConfigError('config.policy', "'cluster' policy is not supported on data planes; use 'local' or 'redis'");
  }
  const limits = Object.entries(config.limits).map(([name, periods]): NamedLimit => {
    const allowed = RATE_PERIODS.map((p) => periods[p] ?? 0);
    const slots = allowed.flatMap((units, slot) => (units > 0 ? [slot] : []));
    return {
      name,
      slots,
      allowed,
      windows: new ConfiguredWindows(slots),
      upstreamHeader: `X-RateLimit-Remaining-${name}`,
      limitHeaders: RATE_PERIODS.map((p) => `X-RateLimit-Limit-${name}-${p}`),
      remainingHeaders: RATE_PERIODS.map((p) => `X-RateLimit-Remaining-${name}-${p}`),
      exceeded: jsonResponse(429, `API rate limit exceeded for '${name}'`),
    };
  });
  return Object.freeze({
    headerName: config.header_name,
    limitBy: config.limit_by,
    redis: config.policy === 'redis' ? config.redis : null,
    faultTolerant: config.fault_tolerant,
    block: config.block_on_first_violation,
    hideHeaders: config.hide_client_headers,
    limits,
    names: new Set(limits.map((l) => l.name)),
  });
}

function identify(ctx: PluginContext, conf: PreparedResponseRatelimiting): string {
  const id = conf.limitBy === 'consumer' ? (ctx.consumer?.id ?? ctx.credential?.id) : conf.limitBy === 'credential' ? ctx.credential?.id : undefined;
  return id || ctx.clientIp;
}

function store(ctx: PluginContext, conf: PreparedResponseRatelimiting): WindowCounterStore {
  return conf.redis === null ? ctx.services.nodeCounters : ctx.services.redisCounters(conf.redis);
}

function counterKey(ctx: PluginContext, identifier: string, name: string): string {
  return `response:${ctx.route?.id ?? ''}:${ctx.service?.id ?? ''}:${identifier}:${name}`;
}

/** With every limit's counts read: refuse on a used-up limit if asked, else tell the upstream what is left. */
function admit(ctx: PluginContext, conf: PreparedResponseRatelimiting, identifier: string, counts: readonly WindowCounts[]): void {
  const remaining: number[][] = [];
  for (let i = 0; i < conf.limits.length; i++) {
    const limit = conf.limits[i]!;
    const left: number[] = [];
    let least = Infinity;
    for (const slot of limit.slots) {
      left[slot] = limit.allowed[slot]! - counts[i]![slot]!;
      if (conf.block && left[slot]! <= 0) return ctx.exit(limit.exceeded);
      least = Math.min(least, left[slot]!);
    }
    remaining.push(left);
    ctx.setUpstreamHeader(limit.upstreamHeader, String(least));
  }
  ctx.stash(conf, { identifier, remaining, increments: null } satisfies Usage);
}

function readCounts(ctx: PluginContext, conf: PreparedResponseRatelimiting, identifier: string): (WindowCounts | Promise<WindowCounts>)[] {
  const now = Date.now();
  const counters = store(ctx, conf);
  return conf.limits.map((limit) => counters.increment(counterKey(ctx, identifier, limit.name), limit.windows.at(now), 0));
}

function storeFailed(ctx: PluginContext, conf: PreparedResponseRatelimiting, error: unknown): void {
  ctx.services.warnThrottled('response-ratelimiting', 'response-ratelimiting: counter store unreachable', error);
  if (!conf.faultTolerant) ctx.exit(STORE_FAILED);
}

/** Response phase: the upstream said what it used; Kong's headers, and 429 when that went past a limit. */
function account(ctx: PluginContext, conf: PreparedResponseRatelimiting, usage: Usage): void {
  const increments = parseIncrements(ctx.responseHeader(conf.headerName), conf.names);
  usage.increments = increments;
  ctx.clearResponseHeader(conf.headerName);
  let stop = false;
  const headers: string[] = [];
  conf.limits.forEach((limit, i) => {
    const used = increments.get(limit.name) ?? 0;
    for (const slot of limit.slots) {
      const left = usage.remaining[i]![slot]!;
      if (!conf.hideHeaders) headers.push(limit.limitHeaders[slot]!, String(limit.allowed[slot]), limit.remainingHeaders[slot]!, String(Math.max(0, left - used)));
      if (used > 0 && left <= 0) stop = true;
    }
  });
  if (stop) {
    usage.increments = null; // a refused answer is not counted (Kong's stop_log)
    return ctx.exit({ status: 429, body: Buffer.alloc(0), contentType: '', headers });
  }
  for (let h = 0; h < headers.length; h += 2) ctx.setResponseHeader(headers[h]!, headers[h + 1]!);
}

export const responseRatelimitingHandler: PluginHandler<ResponseRatelimitingConfig, PreparedResponseRatelimiting> = {
  name: responseRatelimitingSchema.name,
  version: responseRatelimitingSchema.version,
  priority: responseRatelimitingSchema.priority,
  prepare,
  access(ctx, conf) {
    const identifier = identify(ctx, conf);
    let counts: (WindowCounts | Promise<WindowCounts>)[];
    try {
      counts = readCounts(ctx, conf, identifier);
    } catch (error) {
      return storeFailed(ctx, conf, error);
    }
    if (!counts.some((c) => c instanceof Promise)) return admit(ctx, conf, identifier, counts as WindowCounts[]);
    return Promise.all(counts).then(
      (read) => admit(ctx, conf, identifier, read),
      (error: unknown) => storeFailed(ctx, conf, error),
    );
  },
  response(ctx, conf) {
    const usage = ctx.stashed(conf) as Usage | undefined;
    if (usage !== undefined) account(ctx, conf, usage);
    else ctx.clearResponseHeader(conf.headerName);
  },
  log(ctx, conf) {
    const usage = ctx.stashed(conf) as Usage | undefined;
    if (usage?.increments == null || usage.increments.size === 0) return;
    const now = Date.now();
    const counters = store(ctx, conf);
    for (const limit of conf.limits) {
      const used = usage.increments.get(limit.name);
      if (used === undefined || used === 0) continue;
      const counted = counters.increment(counterKey(ctx, usage.identifier, limit.name), limit.windows.at(now), used);
      if (counted instanceof Promise) counted.catch((error: unknown) => ctx.services.warnThrottled('response-ratelimiting', 'response-ratelimiting: counting failed', error));
    }
  },
};
