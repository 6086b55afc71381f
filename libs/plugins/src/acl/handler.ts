import type { ConsumerGroups, PluginHandler } from '../plugin-handler';
import { jsonResponse } from '../plugin-handler';
import { aclSchema } from './schema';

export interface AclConfig {
  readonly allow: readonly string[] | null;
  readonly deny: readonly string[] | null;
  readonly hide_groups_header: boolean;
  readonly always_use_authenticated_groups: boolean;
}

export interface PreparedAcl {
  /** Kong: a non-empty deny list makes it a deny list, else it is an allow list. */
  readonly deny: boolean;
  readonly groups: readonly string[];
  readonly hideGroupsHeader: boolean;
  /** Verdict per consumer's groups object, as Kong caches it per config. */
  readonly blocked: WeakMap<ConsumerGroups, boolean>;
}

const X_CONSUMER_GROUPS = 'x-consumer-groups';
const FORBIDDEN = jsonResponse(403, 'You cannot consume this service');
const UNAUTHORIZED = jsonResponse(401, 'Unauthorized');
const NO_GROUPS: ConsumerGroups = Object.freeze({ names: new Set<string>(), header: '' });

function prepare(config: AclConfig): PreparedAcl {
  const deny = (config.deny ?? []).length > 0;
  return { deny, groups: (deny ? config.deny : config.allow) ?? [], hideGroupsHeader: config.hide_groups_header, blocked: new WeakMap() };
}

function isBlocked(conf: PreparedAcl, groups: ConsumerGroups): boolean {
  let blocked = conf.blocked.get(groups);
  if (blocked === undefined) {
    const inGroup = conf.groups.some((group) => groups.names.has(group));
    blocked = conf.deny ? inGroup : !inGroup;
    conf.blocked.set(groups, blocked);
  }
  return blocked;
}

/**
 * Kong's acl without authenticated groups (no plugin here sets them; `always_use_authenticated_groups`
 * is accepted and has nothing to use): the consumer's groups decide, and pass upstream in
 * X-Consumer-Groups unless hidden (then a client's own X-Consumer-Groups is removed too).
 */
export const aclHandler: PluginHandler<AclConfig, PreparedAcl> = {
  name: aclSchema.name,
  version: aclSchema.version,
  priority: aclSchema.priority,
  prepare,
  access(ctx, conf) {
    const consumer = ctx.consumer;
    if (consumer === null) return ctx.exit(ctx.credential === null ? UNAUTHORIZED : FORBIDDEN);
    let groups = ctx.directory.consumerGroups(consumer.id);
    if (groups === undefined) {
      if (!conf.deny) return ctx.exit(ctx.credential === null ? UNAUTHORIZED : FORBIDDEN);
      groups = NO_GROUPS;
    }
    if (isBlocked(conf, groups)) return ctx.exit(FORBIDDEN);
    if (conf.hideGroupsHeader || groups === NO_GROUPS) ctx.clearUpstreamHeader(X_CONSUMER_GROUPS);
    else ctx.setUpstreamHeader(X_CONSUMER_GROUPS, groups.header);
  },
};
