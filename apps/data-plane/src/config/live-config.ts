import type { ConfigSnapshot, EntityCollection, Steps } from '@tollgate/config';
import { carryHealth, type Balancer } from '../balancer';
import type { Logger } from '../logger';
import type { UpstreamPools } from '../proxy/upstream-pools';
import type { ApplyOutcome, ConfigApplier } from '../sync/config-applier';
import {
  buildRuntimeSteps,
  checkSnapshotSteps,
  type ApplyBase,
  type CheckedSnapshot,
  type ConfigHolder,
  type RuntimeBuild,
  type RuntimeConfig,
} from './runtime-config';
import { SecureContextCache } from './sni-certificates';
import { APPLY_SLICE_MS, runInSlices } from './sliced-run';

type Prepared = { ok: true; checked: CheckedSnapshot; build: RuntimeBuild } | ApplyOutcome & { ok: false };

/**
 * The config a data-plane process serves, and the one way to change it: check the snapshot,
 * build the new runtime beside the live one, then swap the reference. The check and the build run
 * in slices between requests (a 15,000-route config never holds the event loop for its whole
 * build), applies run one at a time in the order they came, requests already running keep the
 * RuntimeConfig they started with, and a snapshot that fails its checks changes nothing.
 */
export class LiveConfig implements ConfigHolder, ConfigApplier {
  current: RuntimeConfig | null = null;
  private readonly contexts = new SecureContextCache();
  /** The last apply's checked snapshot and build, from which a delta's apply starts. */
  private last: { checked: CheckedSnapshot; build: RuntimeBuild } | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly pools: UpstreamPools,
    private readonly logger: Logger,
    private readonly options: { probes: boolean; onSwapped?: (config: RuntimeConfig) => void },
  ) {}

  applySnapshot(snapshot: ConfigSnapshot, changed?: ReadonlySet<EntityCollection>): Promise<ApplyOutcome> {
    const applied = this.queue.then(() => this.apply(snapshot, changed));
    this.queue = applied.catch(() => undefined);
    return applied;
  }

  private async apply(snapshot: ConfigSnapshot, changed?: ReadonlySet<EntityCollection>): Promise<ApplyOutcome> {
    const startedAt = Date.now();
    const base: ApplyBase | undefined = changed && this.last ? { ...this.last, changed } : undefined;
    const run = await runInSlices(this.prepare(snapshot, base), APPLY_SLICE_MS);
    const prepared = run.value;
    if (!prepared.ok) {
      // The next delta's changes are relative to this refused snapshot: build that one whole.
      this.last = null;
      return { ok: false, errors: prepared.errors };
    }
    const { build } = prepared;
    if (this.closed) {
      // Stopped while building: nothing will serve this config, and its health probes must not run.
      if (build.config.balancers !== this.current?.balancers) for (const balancer of build.config.balancers.values()) balancer.close();
      return { ok: false, errors: [{ entity: 'snapshot', id: String(snapshot.version), field: '', message: 'the data plane is stopping' }] };
    }
    const previous = this.current;
    const newBalancers = previous === null || previous.balancers !== build.config.balancers;
    if (previous !== null && newBalancers) carryHealth(previous.balancers as Map<string, Balancer>, build.config.balancers as Map<string, Balancer>);
    this.current = build.config;
    this.last = { checked: prepared.checked, build };
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
        slices: run.slices,
        longestSliceMs: Math.round(run.longestSliceMs * 10) / 10,
      },
      'config applied',
    );
    return { ok: true };
  }

  /** The check, then the build; either failing refuses the snapshot and leaves the live config alone. */
  private *prepare(snapshot: ConfigSnapshot, base: ApplyBase | undefined): Steps<Prepared> {
    const checked = yield* checkSnapshotSteps(snapshot, this.contexts, base);
    if (!checked.ok) {
      this.logger.warn({ version: snapshot.version, errors: checked.errors.slice(0, 20), count: checked.errors.length }, 'config refused');
      return { ok: false, errors: checked.errors };
    }
    try {
      const build = yield* buildRuntimeSteps(snapshot, checked.checked, this.pools, { probes: this.options.probes }, base);
      return { ok: true, checked: checked.checked, build };
    } catch (error) {
      // A bug or an input the checks missed: refuse the snapshot rather than take the node down.
      this.logger.error({ err: error, version: snapshot.version }, 'config build failed');
      return { ok: false, errors: [{ entity: 'snapshot', id: String(snapshot.version), field: '', message: (error as Error).message }] };
    }
  }

  version(): { version: number; hash: string } | null {
    return this.current === null ? null : { version: this.current.version, hash: this.current.hash };
  }

  close(): void {
    this.closed = true;
    for (const balancer of this.current?.balancers.values() ?? []) balancer.close();
  }
}
