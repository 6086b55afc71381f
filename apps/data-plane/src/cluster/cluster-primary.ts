import { ENTITY_COLLECTIONS, type ConfigSnapshot, type EntityCollection } from '@tollgate/config';
import cluster, { type Worker } from 'node:cluster';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkSnapshot, type CheckedSnapshot } from '../config/runtime-config';
import { SecureContextCache } from '../config/sni-certificates';
import { APPLY_SLICE_MS, runInSlices } from '../config/sliced-run';
import { isCounterDeltas } from '../counters/counter-sync-messages';
import { NodeCounterHost } from '../counters/node-counter-host';
import type { Logger } from '../logger';
import type { DataPlaneSettings } from '../settings';
import { mergePluginStats } from '../status/plugin-metrics';
import { mergeMetrics } from '../status/proxy-metrics';
import { createStatusServer } from '../status/status-server';
import type { EdgeStats } from '../proxy/connection-guard';
import { DescriptorWatch } from '../proxy/descriptor-watch';
import { processMemory } from '../status/process-memory';
import { NO_CONFIG, NOT_ACCEPTING, notServing, READY, type NodeStats, type Readiness, type StatusSource, type UsageStats } from '../status/status-source';
import type { ApplyOutcome, ConfigApplier } from '../sync/config-applier';
import { diffEntitiesSteps } from './entity-changes';
import { isWorkerMessage, WORKER_SLOT_ENV, type PrimaryMessage } from './ipc-messages';
import { WORKER_V8_FLAGS } from './worker-v8-flags';
import { useWorkerAccept } from './scheduling-policy';

const STATS_TIMEOUT_MS = 2000;

/** A worker that dies this soon after starting is restarted after a pause, not in a tight loop. */
const CRASH_LOOP_MS = 5000;

type Waiter<T> = { resolve(value: T): void; remaining: number; results: T[] };

/** How long past the drain timeout a stopping worker gets (its usage flush and send) before SIGKILL. */
const STOP_GRACE_MS = 10_000;

/** The workers' metering backlogs added up (each worker journals its own usage). */
function mergeUsage(all: readonly (UsageStats | null)[]): UsageStats | null {
  const on = all.filter((u): u is UsageStats => u !== null);
  if (on.length === 0) return null;
  const sum = (pick: (u: UsageStats) => number) => on.reduce((total, u) => total + pick(u), 0);
  return {
    journalBatches: sum((u) => u.journalBatches),
    journalBytes: sum((u) => u.journalBytes),
    sent: sum((u) => u.sent),
    dropped: sum((u) => u.dropped),
    pendingRows: sum((u) => u.pendingRows),
    redisConnected: on.every((u) => u.redisConnected),
  };
}

/** The workers' edges added up; the node accepts only if every worker does (round-robin hands each its share). */
function mergeEdge(all: readonly EdgeStats[], expected: number, primary: DescriptorWatch): EdgeStats {
  const sum = (pick: (e: EdgeStats) => number) => all.reduce((total, e) => total + pick(e), 0);
  return {
    capacity: sum((e) => e.capacity),
    refused: sum((e) => e.refused),
    // The primary accepts for its round-robin workers: its exhaustions are the node's too.
    acceptErrors: sum((e) => e.acceptErrors) + primary.exhaustions,
    headerTimeouts: sum((e) => e.headerTimeouts),
    bodyTimeouts: sum((e) => e.bodyTimeouts),
    accepting: all.length === expected && expected > 0 && all.every((e) => e.accepting) && primary.healthy(),
  };
}

/**
 * The cluster primary: holds the config sources' last applied snapshot and hands it to every
 * worker (and to replacements of workers that die), keeps the node-wide `local` rate-limit
 * counts, and serves the status port from the workers' combined stats.
 */
export class ClusterPrimary implements ConfigApplier, StatusSource {
  /** Live workers by cluster id; `slot` (0..workers-1) is stable across restarts (the usage journal's). */
  private readonly workers = new Map<number, { worker: Worker; startedAt: number; slot: number }>();
  /** Workers (by cluster id) that applied a config and so serve it; readiness waits for all of them. */
  private readonly serving = new Set<number>();
  private readonly counters = new NodeCounterHost();
  private readonly contexts = new SecureContextCache();
  private readonly descriptors = new DescriptorWatch();
  private snapshot: ConfigSnapshot | null = null;
  private applying: Promise<unknown> = Promise.resolve();
  /** The last checked snapshot, from which a delta's check starts; the primary builds no runtime. */
  private lastChecked: CheckedSnapshot | null = null;
  private status: Server | null = null;
  private stopping = false;
  private nextId = 1;
  private readonly statsWaiters = new Map<number, Waiter<NodeStats>>();
  private readonly applyWaiters = new Map<number, Waiter<ApplyOutcome>>();

  constructor(
    private readonly settings: DataPlaneSettings,
    private readonly logger: Logger,
  ) {}

  /** Forks the workers, waits until each listens, and opens the status port. Returns its URL. */
  async start(): Promise<string | null> {
    useWorkerAccept();
    cluster.setupPrimary({ serialization: 'advanced', execArgv: [...process.execArgv, ...WORKER_V8_FLAGS] });
    await Promise.all(Array.from({ length: this.settings.workers }, (_, slot) => this.fork(slot)));
    const listen = this.settings.statusListen;
    if (listen === null) return null;
    const server = createStatusServer(this, this.logger);
    this.status = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(listen.port, listen.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return `http://${listen.host}:${(server.address() as AddressInfo).port}`;
  }

  /** Starts the worker of `slot`; it journals its usage there, so a replacement sends what it left. */
  private fork(slot: number): Promise<void> {
    const worker = cluster.fork({ [WORKER_SLOT_ENV]: String(slot) });
    this.workers.set(worker.id, { worker, startedAt: Date.now(), slot });
    worker.on('message', (message: unknown) => this.onMessage(worker, message));
    worker.on('exit', (code, signal) => this.onExit(worker, code, signal));
    return new Promise((resolve) => {
      const listening = (message: unknown) => {
        if (!isWorkerMessage(message) || message.type !== 'tollgate:listening') return;
        worker.off('message', listening);
        if (this.snapshot !== null) this.send(worker, { type: 'tollgate:config', snapshot: this.snapshot });
        resolve();
      };
      worker.on('message', listening);
    });
  }

  private send(worker: Worker, message: PrimaryMessage): void {
    if (worker.isConnected()) worker.send(message);
  }

  private onMessage(worker: Worker, message: unknown): void {
    if (isCounterDeltas(message)) {
      const peers = [...this.workers.values()].map(({ worker: w }) => ({ id: w.id, send: (m: object) => w.isConnected() && w.send(m) }));
      return this.counters.apply(worker.id, message, peers);
    }
    if (!isWorkerMessage(message)) return;
    if (message.type === 'tollgate:stats') this.settle(this.statsWaiters, message.id, message.stats);
    if (message.type === 'tollgate:applied' && message.outcome.ok) this.serving.add(worker.id);
    if (message.type === 'tollgate:applied') this.settle(this.applyWaiters, message.version, message.outcome);
  }

  private onExit(worker: Worker, code: number | null, signal: string | null): void {
    const entry = this.workers.get(worker.id);
    this.workers.delete(worker.id);
    this.serving.delete(worker.id);
    if (this.stopping) return;
    if (entry === undefined) return;
    this.logger.error({ worker: worker.id, slot: entry.slot, code, signal }, 'worker exited; starting another');
    const pause = Date.now() - entry.startedAt < CRASH_LOOP_MS ? 1000 : 0;
    setTimeout(() => {
      if (!this.stopping) void this.fork(entry.slot);
    }, pause);
  }

  private settle<T>(waiters: Map<number, Waiter<T>>, id: number, value: T): void {
    const waiter = waiters.get(id);
    if (waiter === undefined) return;
    waiter.results.push(value);
    if (--waiter.remaining === 0) {
      waiters.delete(id);
      waiter.resolve(value);
    }
  }

  /** Sends `message` to every worker and resolves with their answers (or what arrived by the timeout). */
  private gather<T>(waiters: Map<number, Waiter<T>>, id: number, message: PrimaryMessage, timeoutMs: number): Promise<T[]> {
    const workers = [...this.workers.values()];
    if (workers.length === 0) return Promise.resolve([]);
    return new Promise((resolve) => {
      const waiter: Waiter<T> = { remaining: workers.length, results: [], resolve: () => resolve(waiter.results) };
      waiters.set(id, waiter);
      setTimeout(() => {
        if (waiters.delete(id)) resolve(waiter.results);
      }, timeoutMs).unref();
      for (const { worker } of workers) this.send(worker, message);
    });
  }

  /**
   * Checks the snapshot here (so a bad one never reaches a worker), then has every worker swap it
   * in. Once a worker has a config, only the entities that changed cross the IPC channel.
   */
  /** Every live worker gets it; a worker forked later starts with an empty cache anyway. */
  pluginMessage(plugin: string, payload: unknown): void {
    for (const { worker } of this.workers.values()) this.send(worker, { type: 'tollgate:plugin-message', plugin, payload });
  }

  applySnapshot(snapshot: ConfigSnapshot, changed?: ReadonlySet<EntityCollection>): Promise<ApplyOutcome> {
    // One at a time, in order: the workers must get the changes in the order they build on.
    const applied = this.applying.then(() => this.apply(snapshot, changed));
    this.applying = applied.catch(() => undefined);
    return applied;
  }

  private async apply(snapshot: ConfigSnapshot, changed?: ReadonlySet<EntityCollection>): Promise<ApplyOutcome> {
    const last = this.lastChecked;
    const base = changed && last ? { checked: last, changed } : undefined;
    const checked = checkSnapshot(snapshot, this.contexts, base);
    if (!checked.ok) return { ok: false, errors: checked.errors };
    this.lastChecked = checked.checked;
    this.snapshot = snapshot;
    const { version, hash } = snapshot;
    // Workers get what changed since the last config, even when a full snapshot came (the work
    // of finding it is done here, where no request waits), and keep building on what they have.
    // In slices too: the primary relays the workers' `local` rate-limit counts meanwhile.
    const diff = last && diffEntitiesSteps(last.entities, checked.checked.entities, changed ?? ENTITY_COLLECTIONS, { sameContent: !changed });
    const changes = diff && (await runInSlices(diff, APPLY_SLICE_MS)).value;
    const message: PrimaryMessage = changes ? { type: 'tollgate:config-change', version, hash, changes } : { type: 'tollgate:config', snapshot };
    const outcomes = await this.gather(this.applyWaiters, snapshot.version, message, 60_000);
    const failed = outcomes.find((o) => !o.ok);
    if (failed) this.logger.error({ version: snapshot.version, outcome: failed }, 'a worker refused a config the primary accepted');
    return failed ?? { ok: true };
  }

  config(): { version: number; hash: string } | null {
    return this.snapshot === null ? null : { version: this.snapshot.version, hash: this.snapshot.hash };
  }

  async stats(): Promise<NodeStats> {
    const id = this.nextId++;
    const all = await this.gather(this.statsWaiters, id, { type: 'tollgate:stats-request', id }, STATS_TIMEOUT_MS);
    const own = processMemory();
    const sum = (pick: (s: NodeStats) => number) => all.reduce((total, s) => total + pick(s), 0);
    return {
      connections: { active: sum((s) => s.connections.active), accepted: sum((s) => s.connections.accepted) },
      // A worker that did not answer in time counts as not accepting.
      edge: mergeEdge(
        all.map((s) => s.edge),
        this.settings.workers,
        this.descriptors,
      ),
      requestsInFlight: sum((s) => s.requestsInFlight),
      metrics: mergeMetrics(all.map((s) => s.metrics)),
      upstreams: all[0]?.upstreams ?? [],
      memory: { rss: own.rss + sum((s) => s.memory.rss), heapUsed: own.heapUsed + sum((s) => s.memory.heapUsed), heapTotal: own.heapTotal + sum((s) => s.memory.heapTotal) },
      workers: this.workers.size,
      usage: mergeUsage(all.map((s) => s.usage)),
      ...mergePluginStats(all),
    };
  }

  async readiness(): Promise<Readiness> {
    if (this.snapshot === null) return NO_CONFIG;
    // The primary accepting a config is not enough: a worker still decoding it serves nothing yet.
    const serving = [...this.workers.keys()].filter((id) => this.serving.has(id)).length;
    if (serving < this.settings.workers) return notServing(serving, this.settings.workers);
    return (await this.stats()).edge.accepting ? READY : NOT_ACCEPTING;
  }

  /** Asks every worker to drain and stop, then closes the status port. */
  async close(): Promise<void> {
    this.stopping = true;
    const exited = [...this.workers.values()].map(
      ({ worker }) =>
        new Promise<void>((resolve) => {
          worker.once('exit', () => resolve());
          const kill = setTimeout(() => worker.kill('SIGKILL'), this.settings.drainTimeoutMs + STOP_GRACE_MS);
          kill.unref();
        }),
    );
    for (const { worker } of this.workers.values()) this.send(worker, { type: 'tollgate:shutdown' });
    await Promise.all(exited);
    this.descriptors.close();
    await new Promise<void>((resolve) => (this.status ? this.status.close(() => resolve()) : resolve()));
    this.counters.close();
  }
}
