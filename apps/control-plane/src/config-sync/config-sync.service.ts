import { Injectable, Logger } from '@nestjs/common';
import type { Ack, Hello, Nack } from '@tollgate/protocol';
import { DataPlaneRegistry } from './data-plane-registry';
import { DataPlaneSession, type SyncStream } from './data-plane-session';
import { DeltaBuilder } from './delta-builder';
import type { RegionSnapshot } from './region-snapshot';
import { SnapshotCache } from './snapshot-cache';

/**
 * The sync protocol's decisions, as stream lifecycle hooks: who is connected, what each data
 * plane has, and whether it gets a delta, a full snapshot or nothing.
 */
@Injectable()
export class ConfigSyncService {
  private readonly logger = new Logger('ConfigSync');
  private readonly sessions = new Set<DataPlaneSession>();

  constructor(
    private readonly cache: SnapshotCache,
    private readonly deltas: DeltaBuilder,
    private readonly registry: DataPlaneRegistry,
  ) {}

  get connected(): number {
    return this.sessions.size;
  }

  async onStreamOpen(hello: Hello, stream: SyncStream, ip: string): Promise<DataPlaneSession> {
    const session = new DataPlaneSession(hello, stream);
    this.sessions.add(session);
    await this.registry.connected(hello, ip, session.streamId);
    await this.sync(session, await this.cache.get(session.region));
    return session;
  }

  onStreamClose(session: DataPlaneSession): void {
    if (!this.sessions.delete(session)) return;
    this.registry.disconnected(session.nodeId, session.streamId).catch((err: unknown) => {
      this.logger.warn(`could not record data plane ${session.nodeId} as disconnected: ${String(err)}`);
    });
  }

  async onAck(session: DataPlaneSession, ack: Ack): Promise<void> {
    if (session.pendingDelta === ack.version) session.pendingDelta = null;
    await this.registry.applied(session.nodeId, ack.version, ack.hash);
  }

  async onNack(session: DataPlaneSession, nack: Nack): Promise<void> {
    const snapshot = await this.cache.get(session.region);
    if (session.pendingDelta === nack.version && snapshot.version === nack.version) {
      // A delta that did not land the data plane on the snapshot's hash: send the whole thing.
      session.sendSnapshot(snapshot);
      return;
    }
    session.rejectedVersion = nack.version;
    this.logger.warn(`data plane ${session.nodeId} rejected config version ${nack.version}: ${JSON.stringify(nack.errors.slice(0, 3))}`);
    await this.registry.status(session.nodeId, 'config_rejected', { version: nack.version, errors: nack.errors });
  }

  async onHeartbeat(session: DataPlaneSession, version: number, hash: string): Promise<void> {
    await this.registry.seen(session.nodeId, version, hash);
  }

  /** A new version was committed: every region with data planes gets its new snapshot. */
  async publish(): Promise<void> {
    const regions = [...new Set([...this.sessions].map((s) => s.region))];
    if (regions.length === 0) return;
    const snapshots = await this.cache.refresh(regions);
    await Promise.all([...this.sessions].map((s) => this.sync(s, snapshots.get(s.region)!)));
  }

  private sync(session: DataPlaneSession, snapshot: RegionSnapshot): Promise<void> {
    return session.serialize(() => this.syncNow(session, snapshot));
  }

  private async syncNow(session: DataPlaneSession, snapshot: RegionSnapshot): Promise<void> {
    if (session.rejectedVersion === snapshot.version || session.sentVersion === snapshot.version) return;
    // A queued publish holding an older snapshot than one already sent must not go backwards;
    // a Hello claiming a version this database never had (a reset) gets the snapshot.
    if (session.synced && session.sentVersion > snapshot.version) return;
    const missing = session.missingPlugins(snapshot);
    if (missing.length > 0) {
      // Never half a config: the data plane keeps serving its last good one.
      session.incompatible = true;
      // Recorded before the data plane is told, so whoever it tells finds the row already saying so.
      await this.registry.status(session.nodeId, 'plugin_set_incompatible', { missing_plugins: missing, version: snapshot.version });
      session.stream.write({
        message: 'status',
        status: { status: 'plugin_set_incompatible', message: `missing plugins: ${missing.join(', ')}`, missing_plugins: missing },
      });
      return;
    }
    session.incompatible = false;
    const delta = session.sentVersion > 0 ? await this.deltas.build(session.sentVersion, snapshot) : null;
    if (delta) session.sendDelta(delta);
    else session.sendSnapshot(snapshot);
  }

  /** A plugin message (a proxy-cache purge) down every stream this replica holds, whatever the region. */
  broadcastPluginMessage(plugin: string, payload: unknown): void {
    const json = Buffer.from(JSON.stringify(payload));
    for (const session of this.sessions) session.stream.write({ message: 'plugin_message', plugin_message: { plugin, json } });
  }

  /** Ends every stream and records its data plane as no longer connected here. */
  async closeAll(): Promise<void> {
    const sessions = [...this.sessions];
    this.sessions.clear();
    for (const session of sessions) session.stream.end();
    await Promise.all(sessions.map((s) => this.registry.disconnected(s.nodeId, s.streamId).catch(() => undefined)));
  }
}
