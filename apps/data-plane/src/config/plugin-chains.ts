import type { Route } from '@tollgate/config';
import type { AnyPluginHandler } from '@tollgate/plugins';
import type { PreparedPlugin } from './prepared-plugins';

/**
 * Kong's config precedence (runloop/plugins_iterator.lua): for each plugin name the most specific
 * instance wins, Route+Service+Consumer > Route+Consumer > Service+Consumer > Route+Service >
 * Consumer > Route > Service > Global.
 */
const RANK_GLOBAL = 1;
const RANK_SERVICE = 2;
const RANK_ROUTE = 3;
const RANK_ROUTE_SERVICE = 5;

/** Keys into one consumer's plugin instances, built once per chain so a request concatenates nothing. */
export interface ConsumerKeys {
  readonly routeService: string;
  readonly route: string;
  readonly service: string;
  readonly consumerOnly: string;
}

/** One plugin name in a route's chain: its best instance without a consumer, and where to look with one. */
export interface PluginSlot {
  readonly name: string;
  readonly handler: AnyPluginHandler;
  readonly base: PreparedPlugin | null;
  readonly baseRank: number;
  /** null when no consumer-scoped instance of this plugin can apply to the route. */
  readonly consumerKeys: ConsumerKeys | null;
}

/** A route's plugins per phase, sorted by priority (ties by name) when the config was applied. */
export interface PluginChain {
  readonly access: readonly PluginSlot[];
  readonly response: readonly PluginSlot[];
  /** Plugins that may ask for the whole upstream body in their response phase. */
  readonly responseBody: readonly PluginSlot[];
  readonly log: readonly PluginSlot[];
}

/** A consumer's plugin instances by scope key: looked up after authentication, never scanned. */
export type ConsumerPlugins = ReadonlyMap<string, PreparedPlugin>;

export const EMPTY_CHAIN: PluginChain = Object.freeze({ access: [], response: [], responseBody: [], log: [] });

export function scopeKey(name: string, routeId: string | null, serviceId: string | null): string {
  return `${name}|${routeId ?? ''}|${serviceId ?? ''}`;
}

/** The instance of `slot` that applies to this request, given the consumer's instances (if any). */
export function pluginFor(slot: PluginSlot, consumerPlugins: ConsumerPlugins | undefined): PreparedPlugin | null {
  const keys = slot.consumerKeys;
  if (keys === null || consumerPlugins === undefined) return slot.base;
  const scoped = consumerPlugins.get(keys.routeService) ?? consumerPlugins.get(keys.route) ?? consumerPlugins.get(keys.service);
  if (scoped !== undefined) return scoped;
  if (slot.baseRank >= RANK_ROUTE_SERVICE) return slot.base;
  return consumerPlugins.get(keys.consumerOnly) ?? slot.base;
}

type Candidates = Map<string, { plugin: PreparedPlugin | null; rank: number; handler: AnyPluginHandler }>;

function offer(candidates: Candidates, plugin: PreparedPlugin, rank: number): void {
  const name = plugin.plugin.name;
  const current = candidates.get(name);
  if (current === undefined || rank > current.rank) candidates.set(name, { plugin, rank, handler: plugin.handler });
}

function comparePriority(a: PluginSlot, b: PluginSlot): number {
  return b.handler.priority - a.handler.priority || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

function addTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

/**
 * Builds each route's chain from indexes of the config's plugins. Routes without plugins of their
 * own share their service's chain, so 15,000 routes on a few services build a few chains.
 */
export class PluginChainBuilder {
  private readonly global: PreparedPlugin[] = [];
  private readonly byRoute = new Map<string, PreparedPlugin[]>();
  private readonly byService = new Map<string, PreparedPlugin[]>();
  /** Consumer-scoped instances, by where they apply: everywhere, a route, a service. */
  private readonly consumerAnywhere: PreparedPlugin[] = [];
  private readonly consumerByRoute = new Map<string, PreparedPlugin[]>();
  private readonly consumerByService = new Map<string, PreparedPlugin[]>();
  private readonly byServiceChain = new Map<string, PluginChain>();
  readonly consumerPlugins = new Map<string, Map<string, PreparedPlugin>>();

  constructor(plugins: Iterable<PreparedPlugin>) {
    for (const prepared of plugins) {
      const { route, service, consumer, name } = prepared.plugin;
      if (consumer !== null) {
        let own = this.consumerPlugins.get(consumer.id);
        if (own === undefined) this.consumerPlugins.set(consumer.id, (own = new Map()));
        own.set(scopeKey(name, route?.id ?? null, service?.id ?? null), prepared);
        if (route !== null) addTo(this.consumerByRoute, route.id, prepared);
        else if (service !== null) addTo(this.consumerByService, service.id, prepared);
        else this.consumerAnywhere.push(prepared);
      } else if (route !== null) addTo(this.byRoute, route.id, prepared);
      else if (service !== null) addTo(this.byService, service.id, prepared);
      else this.global.push(prepared);
    }
  }

  /** Global plugins with a rewrite phase, which runs before routing (so only global ones can). */
  globalRewrite(): readonly PreparedPlugin[] {
    return this.global
      .filter((p) => p.handler.rewrite !== undefined)
      .sort((a, b) => b.handler.priority - a.handler.priority || (a.plugin.name < b.plugin.name ? -1 : 1));
  }

  /** Global plugins with a log phase: what logs a call no route matched (Kong logs those too). */
  globalLog(): readonly PreparedPlugin[] {
    return this.global
      .filter((p) => p.handler.log !== undefined)
      .sort((a, b) => b.handler.priority - a.handler.priority || (a.plugin.name < b.plugin.name ? -1 : 1));
  }

  chainFor(route: Route): PluginChain {
    const serviceId = route.service?.id ?? null;
    const ownPlugins = this.byRoute.has(route.id) || this.consumerByRoute.has(route.id);
    if (ownPlugins || serviceId === null) return this.build(route.id, serviceId);
    let chain = this.byServiceChain.get(serviceId);
    if (chain === undefined) this.byServiceChain.set(serviceId, (chain = this.build(null, serviceId)));
    return chain;
  }

  private build(routeId: string | null, serviceId: string | null): PluginChain {
    const candidates: Candidates = new Map();
    for (const p of this.global) offer(candidates, p, RANK_GLOBAL);
    for (const p of serviceId === null ? [] : (this.byService.get(serviceId) ?? [])) offer(candidates, p, RANK_SERVICE);
    for (const p of routeId === null ? [] : (this.byRoute.get(routeId) ?? [])) {
      const scopedService = p.plugin.service?.id ?? null;
      if (scopedService === null) offer(candidates, p, RANK_ROUTE);
      else if (scopedService === serviceId) offer(candidates, p, RANK_ROUTE_SERVICE);
    }
    const consumerScoped = new Set<string>();
    const consumerRoute = routeId === null ? [] : (this.consumerByRoute.get(routeId) ?? []);
    const consumerService = serviceId === null ? [] : (this.consumerByService.get(serviceId) ?? []);
    for (const p of [...this.consumerAnywhere, ...consumerRoute, ...consumerService]) {
      consumerScoped.add(p.plugin.name);
      if (!candidates.has(p.plugin.name)) candidates.set(p.plugin.name, { plugin: null, rank: 0, handler: p.handler });
    }
    const slots: PluginSlot[] = [];
    for (const [name, { plugin, rank, handler }] of candidates) {
      const consumerKeys = consumerScoped.has(name)
        ? {
            routeService: scopeKey(name, routeId, serviceId),
            route: scopeKey(name, routeId, null),
            service: scopeKey(name, null, serviceId),
            consumerOnly: scopeKey(name, null, null),
          }
        : null;
      slots.push(Object.freeze({ name, handler, base: plugin, baseRank: rank, consumerKeys }));
    }
    slots.sort(comparePriority);
    return Object.freeze({
      access: slots.filter((s) => s.handler.access !== undefined),
      response: slots.filter((s) => s.handler.response !== undefined),
      responseBody: slots.filter((s) => s.handler.responseBody !== undefined),
      log: slots.filter((s) => s.handler.log !== undefined),
    });
  }
}
