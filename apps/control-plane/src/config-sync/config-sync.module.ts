import { Inject, Module, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { DataPlanesController } from '../clustering/data-planes.controller';
import { CONTROL_PLANE_RUNTIME, type ControlPlaneRuntime } from '../control-plane-runtime';
import { PluginMessages } from '../plugin-messages/plugin-messages';
import { ProxyCacheController } from '../plugin-messages/proxy-cache.controller';
import { ChangeLogRetention } from './change-log-retention';
import { ConfigPublisher } from './config-publisher';
import { ConfigSyncServer } from './config-sync.server';
import { ConfigSyncService } from './config-sync.service';
import { DataPlaneRegistry } from './data-plane-registry';
import { DeltaBuilder } from './delta-builder';
import { DATA_PLANE_RECORDER, SNAPSHOT_SOURCE } from './snapshot-source';
import { PostgresSnapshotSource } from './postgres-snapshot-source';
import { SnapshotBuilder } from './snapshot-builder';
import { SnapshotCache } from './snapshot-cache';

/**
 * Config to data planes: snapshots and deltas from Postgres, the gRPC stream server, the
 * publisher listening for new versions (and plugin messages such as proxy-cache purges), the
 * change-log retention. Starts and stops all of it.
 */
@Module({
  controllers: [DataPlanesController, ProxyCacheController],
  providers: [
    SnapshotBuilder,
    SnapshotCache,
    DeltaBuilder,
    DataPlaneRegistry,
    PostgresSnapshotSource,
    { provide: SNAPSHOT_SOURCE, useExisting: PostgresSnapshotSource },
    { provide: DATA_PLANE_RECORDER, useExisting: DataPlaneRegistry },
    ConfigSyncService,
    ConfigSyncServer,
    ConfigPublisher,
    PluginMessages,
    ChangeLogRetention,
  ],
  exports: [ConfigSyncService, ConfigSyncServer, SnapshotBuilder],
})
export class ConfigSyncModule implements OnApplicationBootstrap, OnModuleDestroy {
  constructor(
    @Inject(CONTROL_PLANE_RUNTIME) private readonly runtime: ControlPlaneRuntime,
    private readonly retention: ChangeLogRetention,
    private readonly publisher: ConfigPublisher,
    private readonly server: ConfigSyncServer,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { settings, clusterTls, coalescing } = this.runtime;
    this.retention.start(settings.retainedVersions);
    await this.publisher.start(settings.databaseUrl, settings.databaseSchema, coalescing);
    await this.server.listen(settings.clusterHost, settings.clusterPort, clusterTls);
  }

  async onModuleDestroy(): Promise<void> {
    this.retention.stop();
    await this.server.close();
    await this.publisher.close();
  }
}
