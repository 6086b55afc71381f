import type { ConfigSnapshot, EntityCollection } from '@tollgate/config';
import { carryHealth, type Balancer } from '../balancer';
import type { Logger } from '../logger';
import type { UpstreamPools } from '../proxy/upstream-pools';
import type { ApplyOutcome, ConfigApplier } from '../sync/config-applier';
import {
  buildRuntimeConfig,
  checkSnapshot,
  type ApplyBase,
  type CheckedSnapshot,
  type ConfigHolder,
  type RuntimeBuild,
  type RuntimeConfig,
} from './runtime-config';
import { SecureContextCache } from './sni-certificates';

/**
 * The config a data-plane process serves, and the one way to change it: check the snapshot,
 * build the new runtime beside the live one, then swap the reference. Requests already running
 * keep the RuntimeConfig they started with; a snapshot that fails its checks changes nothing.
 */
export class LiveConfig implements ConfigHolder, ConfigApplier {
  current: RuntimeConfig | null = null;
  private readonly contexts = new SecureContextCache();
  /** The last apply's checked snapshot and build, from which a delta's apply starts. */
  private last: { checked: CheckedSnapshot; build: RuntimeBuild } | null = null;

  constructor(
    private readonly pools: UpstreamPools,
    private readonly logger: Logger,
    private readonly options: { probes: boolean; onSwapped?: (config: RuntimeConfig) => void },
  ) {}

  applySnapshot(snapshot: ConfigSnapshot, changed?: ReadonlySet<EntityCollection>): ApplyOutcome {
    const startedAt = Date.now();
    const base: ApplyBase | undefined = changed && this.last ? { ...this.last, changed } : undefined;
    const checked = checkSnapshot(snapshot, this.contexts, base);
    if (!checked.ok) {
      this.logger.warn({ version: snapshot.version, errors: checked.errors.slice(0, 20), count: checked.errors.length }, 'config refused');
      return { ok: false, errors: checked.errors };
    }
    let build: RuntimeBuild;
    try {
      build = buildRuntimeConfig(snapshot, checked.checked, this.pools, { probes: this.options.probes }, base);
    } catch (error) {
      // A bug or an input the checks missed: refuse the snapshot rather than take the node down.
      this.logger.error({ err: error, version: snapshot.version }, 'config build failed');
      return { ok: false, errors: [{ entity: 'snapshot', id: String(snapshot.version), field: '', message: (error as Error).message }] };
    }
    const previous = this.current;
    const newBalancers = previous === null || previous.balancers !== build.config.balancers;
    if (previous !== null && newBalancers) carryHealth(previous.balancers as Map<string, Balancer>, build.config.balancers as Map<string, Balancer>);
    this.current = build.config;
    this.last = { checked: checked.checked, build };
    this.pools.retain(build.poolsInUse);
    if (previous !== null && newBalancers) for (const balancer of previous.balancers.values()) balancer.close();
    this.options.onSwapped?.(build.config);
    this.logger.info(
      {
        version: snapshot.version,
        hash: snapshot.hash,
        routes: build.config.router.size,
        rejectedPaths: build.config.router.rejected,
        unsupportedServices: build.unsupportedServices.map((s) => ({ id: s.id, protocol: s.protocol })),
        incremental: base !== undefined,
        ms: Date.now() - startedAt,
      },
      'config applied',
    );
    return { ok: true };
  }

  version(): { version: number; hash: string } | null {
    return this.current === null ? null : { version: this.current.version, hash: this.current.hash };
  }

  close(): void {
    for (const balancer of this.current?.balancers.values() ?? []) balancer.close();
  }
}
