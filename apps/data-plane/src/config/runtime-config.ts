import {
  checkConsistencySteps,
  emptyEntities,
  chunkSteps,
  runSteps,
  type ConfigEntities,
  type ConfigEntityError,
  type ConfigSnapshot,
  type EntityCollection,
  type Route,
  type Service,
  type Steps,
} from '@tollgate/config';
import { compileRouterSteps, type Router } from '@tollgate/router';
import { buildBalancers, type Balancer } from '../balancer';
import type { UpstreamPools } from '../proxy/upstream-pools';
import { MarketplaceGate } from '../plans/marketplace-gate';
import { ConsumerIndex } from './consumer-directory';
import { PluginChainBuilder, type ConsumerPlugins, type PluginChain } from './plugin-chains';
import { preparePluginsSteps, type PreparedPlugin, type PreparedPlugins } from './prepared-plugins';
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
  /** Global plugins' log phase for calls no route matched; usually empty. */
  readonly unroutedLog: readonly PreparedPlugin[];
  readonly plans: ReadonlyMap<string, RoutePlan>;
  readonly directory: ConsumerIndex;
  readonly consumerPlugins: ReadonlyMap<string, ConsumerPlugins>;
  readonly certificates: SniCertificates;
  readonly balancers: ReadonlyMap<string, Balancer>;
  /** Plans and subscriptions enforced after authentication; null when no plan exists. */
  readonly marketplace: MarketplaceGate | null;
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

/** The previous check, and which collections the new snapshot changed (a delta's hint). */
export interface CheckBase {
  readonly checked: CheckedSnapshot;
  readonly changed: ReadonlySet<EntityCollection>;
}

/** The previous apply (its check and its build), and what the new snapshot changed. */
export interface ApplyBase extends CheckBase {
  readonly build: RuntimeBuild;
}

function* byId<T extends { readonly id: string }>(entities: readonly T[]): Steps<Map<string, T>> {
  const map = new Map<string, T>();
  yield* chunkSteps(entities.length, (from, to) => {
    for (let i = from; i < to; i++) map.set(entities[i]!.id, entities[i]!);
  });
  return map;
}

const any = (changed: ReadonlySet<EntityCollection>, ...collections: EntityCollection[]) => collections.some((c) => changed.has(c));

/**
 * Everything that can make a snapshot unusable: dangling references, plugin configs that fail
 * their schema, plugins this data plane lacks, certificates that do not parse. Given the previous
 * apply and what changed, only the changed collections are checked again.
 */
export function checkSnapshot(snapshot: ConfigSnapshot, contexts: SecureContextCache, base?: CheckBase): SnapshotCheck {
  return runSteps(checkSnapshotSteps(snapshot, contexts, base));
}

export type SnapshotCheck = { ok: true; checked: CheckedSnapshot } | { ok: false; errors: ConfigEntityError[] };

/** checkSnapshot in steps (see Steps). */
export function* checkSnapshotSteps(snapshot: ConfigSnapshot, contexts: SecureContextCache, base?: CheckBase): Steps<SnapshotCheck> {
  try {
    const entities = complete(snapshot.entities);
    const changed = base?.changed;
    const plugins = changed && !changed.has('plugins') ? base.checked.plugins : yield* preparePluginsSteps(entities.plugins);
    const sni = changed && !any(changed, 'certificates', 'snis') ? { certificates: base.checked.certificates, errors: [] } : buildSniCertificates(entities, contexts);
    const errors = [...(yield* checkConsistencySteps(entities, changed)), ...plugins.errors, ...sni.errors];
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
  /** Each service's resolved target, by service id (kept for the next incremental build). */
  readonly targets: ReadonlyMap<string, ServiceTarget>;
  readonly unsupportedServices: readonly Service[];
}

/**
 * Builds the runtime for a checked snapshot. Given the previous apply and what changed, parts
 * whose inputs did not change are carried over (Kong's "only rebuild what changed"): a one-route
 * write compiles one route and builds one chain (routes that are the same objects as last time keep
 * theirs), and never rebuilds the 100,000-credential consumer index.
 */
export function* buildRuntimeSteps(
  snapshot: ConfigSnapshot,
  checked: CheckedSnapshot,
  pools: UpstreamPools,
  options: { probes: boolean },
  base?: ApplyBase,
): Steps<RuntimeBuild> {
  const { entities } = checked;
  const changed = base?.changed;
  const previous = base?.build;
  const keepBalancers = changed !== undefined && !any(changed, 'upstreams', 'targets');
  const balancers = keepBalancers ? previous!.config.balancers : buildBalancers(entities.upstreams, entities.targets, { probes: options.probes });
  const keepTargets = keepBalancers && !any(changed, 'services', 'certificates', 'ca_certificates');
  let poolsInUse = previous?.poolsInUse ?? new Set<string>();
  let targets = previous?.targets;
  let unsupportedServices = previous?.unsupportedServices ?? [];
  if (!keepTargets || !targets) {
    poolsInUse = new Set<string>();
    const resolved = yield* resolveServiceTargets(entities.services, balancers, pools, poolsInUse, entities);
    targets = resolved.targets;
    unsupportedServices = resolved.unsupported;
  }
  const keepPlans = keepTargets && !any(changed!, 'routes', 'plugins');
  // The chains depend on the plugins and on each route's id and service: with the plugins
  // unchanged, a route that is the same object as last time keeps its chain.
  const keepChains = changed !== undefined && !changed.has('plugins');
  let chains: PluginChainBuilder | null = null;
  const chainsFor = () => (chains ??= new PluginChainBuilder(checked.plugins.byId.values()));
  let plans = previous?.config.plans;
  if (!keepPlans || !plans) {
    const before = keepChains ? previous?.config.plans : undefined;
    const built = new Map<string, RoutePlan>();
    const routes = entities.routes;
    const resolved = targets;
    yield* chunkSteps(routes.length, (from, to) => {
      for (let i = from; i < to; i++) {
        const route = routes[i]!;
        const target = route.service === null ? null : (resolved.get(route.service.id) ?? null);
        const last = before?.get(route.id);
        if (last !== undefined && last.route === route && last.target === target) built.set(route.id, last);
        else built.set(route.id, { route, target, chain: last !== undefined && last.route === route ? last.chain : chainsFor().chainFor(route) });
      }
    });
    plans = built;
  }
  const keepRouter = changed !== undefined && !any(changed, 'routes', 'services');
  const keepDirectory = changed !== undefined && !any(changed, 'consumers', 'keyauth_credentials', 'basicauth_credentials', 'jwt_secrets', 'acls', 'hmacauth_credentials');
  const router = keepRouter ? previous!.config.router : yield* compileRouterSteps(entities.routes, yield* byId(entities.services), previous?.config.router);
  const directory = keepDirectory ? previous!.config.directory : yield* ConsumerIndex.build(entities);
  const keepMarketplace = changed !== undefined && !any(changed, 'plans', 'subscriptions');
  const marketplace = keepMarketplace
    ? previous!.config.marketplace
    : yield* MarketplaceGate.build(entities.plans, entities.subscriptions, previous?.config.marketplace ?? null, changed === undefined || changed.has('plans'));
  const config: RuntimeConfig = {
    version: snapshot.version,
    hash: snapshot.hash,
    router,
    rewrite: keepChains ? previous!.config.rewrite : chainsFor().globalRewrite(),
    unroutedLog: keepChains ? previous!.config.unroutedLog : chainsFor().globalLog(),
    plans,
    directory,
    consumerPlugins: keepChains ? previous!.config.consumerPlugins : chainsFor().consumerPlugins,
    certificates: checked.certificates,
    balancers,
    marketplace,
  };
  return { config: Object.freeze(config), poolsInUse, targets, unsupportedServices };
}

/** Where the proxy reads the live config: one field, replaced whole by each apply. */
export interface ConfigHolder {
  readonly current: RuntimeConfig | null;
}
