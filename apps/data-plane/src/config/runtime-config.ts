import {
  checkConsistency,
  emptyEntities,
  type ConfigEntities,
  type ConfigEntityError,
  type ConfigSnapshot,
  type Route,
  type Service,
} from '@tollgate/config';
import { compileRouter, type Router } from '@tollgate/router';
import { buildBalancers, type Balancer } from '../balancer';
import type { UpstreamPools } from '../proxy/upstream-pools';
import { ConsumerIndex } from './consumer-directory';
import { PluginChainBuilder, type ConsumerPlugins, type PluginChain } from './plugin-chains';
import { preparePlugins, type PreparedPlugin, type PreparedPlugins } from './prepared-plugins';
import { resolveServiceTargets, type ServiceTarget } from './service-targets';
import { buildSniCertificates, type SecureContextCache, type SniCertificates } from './sni-certificates';

/** What a matched route runs: its service's target and its plugin chain. */
export interface RoutePlan {
  readonly route: Route;
  /** null for a route without a service (only plugins can answer it). */
  readonly target: ServiceTarget | null;
  readonly chain: PluginChain;
}

/**
 * Everything the proxy reads per request, built off the request path from one snapshot and
 * swapped in with a single reference assignment. Never mutated after build: a request holds the
 * config it started with until it ends.
 */
export interface RuntimeConfig {
  readonly version: number;
  readonly hash: string;
  readonly router: Router;
  /** Global plugins' rewrite phase, run before routing; usually empty. */
  readonly rewrite: readonly PreparedPlugin[];
  readonly plans: ReadonlyMap<string, RoutePlan>;
  readonly directory: ConsumerIndex;
  readonly consumerPlugins: ReadonlyMap<string, ConsumerPlugins>;
  readonly certificates: SniCertificates;
  readonly balancers: ReadonlyMap<string, Balancer>;
}

export interface CheckedSnapshot {
  readonly entities: ConfigEntities;
  readonly plugins: PreparedPlugins;
  readonly certificates: SniCertificates;
}

/** Snapshots may leave out empty collections; every later step reads all of them. */
function complete(entities: Partial<ConfigEntities>): ConfigEntities {
  return { ...emptyEntities(), ...entities };
}

/**
 * Everything that can make a snapshot unusable: dangling references, plugin configs that fail
 * their schema, plugins this data plane lacks, certificates that do not parse.
 */
export function checkSnapshot(
  snapshot: ConfigSnapshot,
  contexts: SecureContextCache,
): { ok: true; checked: CheckedSnapshot } | { ok: false; errors: ConfigEntityError[] } {
  try {
    const entities = complete(snapshot.entities);
    const plugins = preparePlugins(entities.plugins);
    const sni = buildSniCertificates(entities, contexts);
    const errors = [...checkConsistency(entities), ...plugins.errors, ...sni.errors];
    if (errors.length > 0) return { ok: false, errors };
    return { ok: true, checked: { entities, plugins, certificates: sni.certificates } };
  } catch (error) {
    // A malformed entity the schemas should have caught: refuse the snapshot, keep serving.
    return { ok: false, errors: [{ entity: 'snapshot', id: String(snapshot.version), field: '', message: (error as Error).message }] };
  }
}

export interface RuntimeBuild {
  readonly config: RuntimeConfig;
  /** Keys of the upstream pools the config uses; the others can be closed once it is live. */
  readonly poolsInUse: Set<string>;
  readonly unsupportedServices: readonly Service[];
}

export function buildRuntimeConfig(
  snapshot: ConfigSnapshot,
  checked: CheckedSnapshot,
  pools: UpstreamPools,
  options: { probes: boolean },
): RuntimeBuild {
  const { entities } = checked;
  const services = new Map(entities.services.map((s) => [s.id, s]));
  const balancers = buildBalancers(entities.upstreams, entities.targets, { probes: options.probes });
  const poolsInUse = new Set<string>();
  const { targets, unsupported } = resolveServiceTargets(entities.services, balancers, pools, poolsInUse);
  const chains = new PluginChainBuilder(checked.plugins.byId.values());
  const plans = new Map<string, RoutePlan>();
  for (const route of entities.routes) {
    const target = route.service === null ? null : (targets.get(route.service.id) ?? null);
    plans.set(route.id, { route, target, chain: chains.chainFor(route) });
  }
  const config: RuntimeConfig = {
    version: snapshot.version,
    hash: snapshot.hash,
    router: compileRouter(entities.routes, services),
    rewrite: chains.globalRewrite(),
    plans,
    directory: new ConsumerIndex(entities),
    consumerPlugins: chains.consumerPlugins,
    certificates: checked.certificates,
    balancers,
  };
  return { config: Object.freeze(config), poolsInUse, unsupportedServices: unsupported };
}

/** Where the proxy reads the live config: one field, replaced whole by each apply. */
export interface ConfigHolder {
  readonly current: RuntimeConfig | null;
}
