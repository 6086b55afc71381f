import type { PluginHandler, PluginResponse } from '../plugin-handler';
import { jsonResponse } from '../plugin-handler';
import { IpMatcher } from './ip-matcher';
import { ipRestrictionSchema } from './schema';

export interface IpRestrictionConfig {
  readonly allow: readonly string[] | null;
  readonly deny: readonly string[] | null;
  readonly status: number | null;
  readonly message: string | null;
}

export interface PreparedIpRestriction {
  readonly allow: IpMatcher | null;
  readonly deny: IpMatcher | null;
  readonly status: number;
  /** Built once when a message is configured; else Kong's default names the address, per refusal. */
  readonly refusal: PluginResponse | null;
}

const UNKNOWN_CLIENT = jsonResponse(403, 'Cannot identify the client IP address, unix domain sockets are not supported.');

function matcher(list: readonly string[] | null): IpMatcher | null {
  return list === null || list.length === 0 ? null : new IpMatcher(list);
}

function prepare(config: IpRestrictionConfig): PreparedIpRestriction {
  const status = config.status ?? 403;
  return Object.freeze({
    allow: matcher(config.allow),
    deny: matcher(config.deny),
    status,
    refusal: config.message === null ? null : jsonResponse(status, config.message),
  });
}

/** Kong's order: a denied address is refused even when also allowed; then anything not allowed. */
export const ipRestrictionHandler: PluginHandler<IpRestrictionConfig, PreparedIpRestriction> = {
  name: ipRestrictionSchema.name,
  version: ipRestrictionSchema.version,
  priority: ipRestrictionSchema.priority,
  prepare,
  access(ctx, conf) {
    const ip = ctx.clientIp;
    if (ip === '') return ctx.exit(UNKNOWN_CLIENT);
    const refused = (conf.deny !== null && conf.deny.matches(ip)) || (conf.allow !== null && !conf.allow.matches(ip));
    if (refused) ctx.exit(conf.refusal ?? jsonResponse(conf.status, `IP address not allowed: ${ip}`));
  },
};
