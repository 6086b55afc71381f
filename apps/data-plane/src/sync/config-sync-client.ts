import * as grpc from '@grpc/grpc-js';
import type { ConfigEntities, ConfigEntityError, ConfigHash, EntityCollection } from '@tollgate/config';
import {
  clusterChannel,
  loadConfigSync,
  type ClusterTls,
  type ControlPlaneMessage,
  type DataPlaneMessage,
  type Delta,
  type SyncStatus,
  type PluginMessage,
} from '@tollgate/protocol';
import type { ConfigApplier } from './config-applier';
import { ReconnectBackoff } from './reconnect-backoff';
import { SnapshotAssembler } from './snapshot-assembler';
import type { SnapshotFile } from './snapshot-file';
import { DeltaError, SyncedConfig, type AppliedDelta } from './synced-config';

export interface ConfigSyncClientOptions {
  readonly address: string;
  readonly tls: ClusterTls;
  readonly nodeId: string;
  readonly hostname: string;
  readonly region: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly version: string;
  readonly plugins: readonly string[];
  readonly applier: ConfigApplier;
  readonly snapshotFile: SnapshotFile;
  readonly heartbeatMs?: number;
  readonly backoff?: { readonly initialMs: number; readonly maxMs: number };
  readonly log?: (level: 'info' | 'warn' | 'error', message: string) => void;
  /** Sees every message from the control plane as it arrives (benchmarks count bytes with it). */
  readonly onMessage?: (message: ControlPlaneMessage) => void;
  /** Called once a version is applied, persisted and acknowledged (benchmarks, tests, metrics). */
  readonly onInstalled?: (version: number, hash: string) => void;
}

/** Past this, the delta journal is folded into a fresh full snapshot on disk. */
const JOURNAL_LIMIT = { entries: 500, bytes: 16 * 1024 * 1024 };

type Stream = grpc.ClientDuplexStream<DataPlaneMessage, ControlPlaneMessage>;

/**
 * The data plane's end of `ConfigSync`: says Hello with the config it serves, applies snapshots
 * and deltas off the request path, persists each applied config, and Acks or Nacks it. Keeps
 * serving its last good config through any control-plane outage, reconnecting with backoff.
 */
export class ConfigSyncClient {
  private config: SyncedConfig | null = null;
  private client: grpc.Client | null = null;
  private stream: Stream | null = null;
  private readonly backoff: ReconnectBackoff;
  private readonly assembler = new SnapshotAssembler();
  private queue: Promise<void> = Promise.resolve();
  private heartbeat: NodeJS.Timeout | null = null;
  private retry: NodeJS.Timeout | null = null;
  private stopped = false;
  /** The control plane's last word on why it sends nothing (plugin_set_incompatible). */
  lastStatus: SyncStatus | null = null;
  connected = false;
  /** What arrived, for /status and the tests: full snapshots and deltas applied. */
  readonly stats = { snapshots: 0, deltas: 0, nacks: 0 };

  constructor(private readonly options: ConfigSyncClientOptions) {
    this.backoff = new ReconnectBackoff(options.backoff?.initialMs ?? 500, options.backoff?.maxMs ?? 30_000);
  }

  get current(): { version: number; hash: string } | null {
    return this.config ? { version: this.config.version, hash: this.config.hash } : null;
  }

  /** The config served before the first sync (disk copy or declarative file). */
  seed(config: SyncedConfig): void {
    this.config = config;
  }

  start(): void {
    this.stopped = false;
    this.connect();
  }

  private connect(): void {
    if (this.stopped) return;
    const { credentials, options } = clusterChannel(this.options.tls);
    const Client = loadConfigSync().ConfigSync;
    this.client ??= new Client(this.options.address, credentials, { ...options, 'grpc.max_receive_message_length': 16 * 1024 * 1024 });
    const stream = (this.client as unknown as { Sync(): Stream }).Sync();
    this.stream = stream;
    stream.on('data', (message: ControlPlaneMessage) => {
      this.connected = true;
      this.backoff.reset();
      this.options.onMessage?.(message);
      this.queue = this.queue.then(() => this.handle(message)).catch((err: unknown) => this.log('error', `sync: ${String(err)}`));
    });
    stream.on('error', (err: Error) => this.disconnected(stream, err.message));
    stream.on('end', () => this.disconnected(stream, 'stream ended'));
    this.send({ message: 'hello', hello: this.hello() });
    this.heartbeat ??= setInterval(() => this.sendHeartbeat(), this.options.heartbeatMs ?? 10_000);
    this.heartbeat.unref();
  }

  private hello() {
    const o = this.options;
    return {
      node_id: o.nodeId,
      hostname: o.hostname,
      region: o.region,
      labels: { ...o.labels },
      version: o.version,
      plugins: [...o.plugins],
      config_version: this.config?.version ?? 0,
      config_hash: this.config?.hash ?? '',
    };
  }

  private disconnected(stream: Stream, reason: string): void {
    if (stream !== this.stream) return;
    this.stream = null;
    this.connected = false;
    if (this.stopped) return;
    const delay = this.backoff.next();
    this.log('warn', `control plane unreachable (${reason}); serving config version ${this.config?.version ?? 'none'}; retrying in ${delay} ms`);
    this.retry = setTimeout(() => this.connect(), delay);
    this.retry.unref();
  }

  private async handle(message: ControlPlaneMessage): Promise<void> {
    if (message.message === 'snapshot') {
      let assembled;
      try {
        assembled = this.assembler.add(message.snapshot);
      } catch (err) {
        this.nack(message.snapshot.version, [{ entity: 'config', id: '', field: 'snapshot', message: (err as Error).message }]);
        return;
      }
      if (assembled) {
        this.stats.snapshots++;
        await this.applySnapshot(assembled.version, assembled.hash, assembled.entities, assembled.received);
      }
    } else if (message.message === 'delta') {
      this.stats.deltas++;
      await this.applyDelta(message.delta);
    } else if (message.message === 'status') {
      this.lastStatus = message.status;
      this.log('warn', `control plane: ${message.status.status}: ${message.status.message}`);
    } else if (message.message === 'plugin_message') {
      this.deliver(message.plugin_message);
    }
  }

  private deliver(message: PluginMessage): void {
    let payload: unknown;
    try {
      payload = JSON.parse(Buffer.from(message.json).toString('utf8'));
    } catch {
      return this.log('warn', `control plane: unreadable message for plugin ${message.plugin}`);
    }
    this.options.applier.pluginMessage?.(message.plugin, payload);
  }

  /** `received` is the hash of the entities as they arrived (the assembler hashes them chunk by chunk). */
  private async applySnapshot(version: number, hash: string, entities: ConfigEntities, received: ConfigHash): Promise<void> {
    if (received.hex() !== hash) {
      this.nack(version, [{ entity: 'config', id: '', field: 'hash', message: `snapshot hash is ${received.hex()}, expected ${hash}` }]);
      return;
    }
    const next = SyncedConfig.of(version, entities, received);
    await this.install(next, entities, null, null);
  }

  private async applyDelta(delta: Delta): Promise<void> {
    if (!this.config) {
      this.nack(delta.to_version, [{ entity: 'config', id: '', field: 'version', message: 'delta received with no config to apply it to' }]);
      return;
    }
    let applied: AppliedDelta;
    try {
      applied = this.config.applyDelta(delta);
    } catch (err) {
      if (!(err instanceof DeltaError) && !(err instanceof SyntaxError)) throw err;
      this.nack(delta.to_version, [{ entity: 'config', id: '', field: 'hash', message: err.message }]);
      return;
    }
    const installed = await this.install(applied.config, applied.config.entities(), applied.changed, delta);
    if (!installed) applied.revert();
  }

  /**
   * Apply, persist, then Ack; a config the applier refuses is Nacked and the last good one stays.
   * A delta is journaled (bytes proportional to the change); a snapshot replaces the disk copy.
   */
  private async install(next: SyncedConfig, entities: ConfigEntities, changed: ReadonlySet<EntityCollection> | null, delta: Delta | null): Promise<boolean> {
    const snapshot = { version: next.version, hash: next.hash, entities };
    const outcome = await this.options.applier.applySnapshot(snapshot, changed ?? undefined);
    if (!outcome.ok) {
      this.nack(next.version, outcome.errors);
      return false;
    }
    const file = this.options.snapshotFile;
    try {
      if (delta) await file.appendDelta(delta);
      else await file.save(snapshot);
    } catch (err) {
      // The config is already serving; a disk that refuses only costs the copy for the next restart.
      this.log('error', `could not persist config version ${next.version} to ${file.path}: ${(err as Error).message}`);
    }
    this.config = next;
    this.lastStatus = null;
    this.send({ message: 'ack', ack: { version: next.version, hash: next.hash } });
    this.options.onInstalled?.(next.version, next.hash);
    const journal = file.journalSize;
    if (journal.entries > JOURNAL_LIMIT.entries || journal.bytes > JOURNAL_LIMIT.bytes) await file.save(snapshot);
    return true;
  }

  private nack(version: number, errors: readonly ConfigEntityError[]): void {
    this.stats.nacks++;
    this.log('warn', `rejected config version ${version}: ${errors.slice(0, 3).map((e) => `${e.entity} ${e.id} ${e.field}: ${e.message}`).join('; ')}`);
    this.send({ message: 'nack', nack: { version, errors: errors.map((e) => ({ ...e })) } });
  }

  private sendHeartbeat(): void {
    const usage = process.memoryUsage();
    this.send({
      message: 'heartbeat',
      heartbeat: { config_version: this.config?.version ?? 0, config_hash: this.config?.hash ?? '', stats: { requests: 0, active_connections: 0, rss_bytes: usage.rss } },
    });
  }

  private send(message: DataPlaneMessage): void {
    if (this.stream && !this.stream.destroyed) this.stream.write(message);
  }

  private log(level: 'info' | 'warn' | 'error', message: string): void {
    this.options.log?.(level, message);
  }

  /** Waits until everything received so far has been handled (tests, graceful stop). */
  async drain(): Promise<void> {
    await this.queue;
  }

  stop(): void {
    this.stopped = true;
    if (this.heartbeat) clearInterval(this.heartbeat);
    if (this.retry) clearTimeout(this.retry);
    this.heartbeat = null;
    this.stream?.cancel();
    this.stream = null;
    this.client?.close();
    this.client = null;
  }
}
