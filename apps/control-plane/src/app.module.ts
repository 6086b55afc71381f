import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccessGuard } from './access/access.guard';
import { AdminBootstrap } from './access/admin-bootstrap';
import { AdminTokenVerifier } from './access/admin-tokens/admin-token-verifier';
import { AdminTokensController } from './access/admin-tokens/admin-tokens.controller';
import { AdminTokensService } from './access/admin-tokens/admin-tokens.service';
import { AdminExceptionFilter } from './admin/admin-exception.filter';
import { IdempotencyKeys } from './admin/idempotency/idempotency-keys';
import { AnalyticsController } from './analytics/analytics.controller';
import { UsageAnalytics } from './analytics/usage-analytics.service';
import { UsageEntityNames } from './analytics/usage-entity-names';
import { DataPlanesController } from './clustering/data-planes.controller';
import { AuditLog } from './config-log/audit-log';
import { AuditLogController } from './config-log/audit-log.controller';
import { AuditLogReader } from './config-log/audit-log-reader';
import { ConfigVersionLedger } from './config-log/config-version-ledger';
import { ChangeLogRetention } from './config-sync/change-log-retention';
import { ConfigPublisher } from './config-sync/config-publisher';
import { ConfigSyncServer } from './config-sync/config-sync.server';
import { ConfigSyncService } from './config-sync/config-sync.service';
import { DataPlaneRegistry } from './config-sync/data-plane-registry';
import { DeltaBuilder } from './config-sync/delta-builder';
import { PluginAvailability } from './config-sync/plugin-availability';
import { SnapshotBuilder } from './config-sync/snapshot-builder';
import { SnapshotCache } from './config-sync/snapshot-cache';
import { dataSourceOptions } from './database/data-source-options';
import { DeclarativeConfigController } from './declarative/declarative-config.controller';
import { DeclarativeImportService } from './declarative/declarative-import.service';
import { EntitiesService } from './entities/entities.service';
import { entityControllers } from './entities/entity-controllers';
import { EntityInput } from './entities/entity-input';
import { EntityStore } from './entities/entity-store';
import { NodeInfoController } from './info/node-info.controller';
import { NodeInfoService } from './info/node-info.service';
import { MetricsController } from './metrics/metrics.controller';
import { MetricsRegistry } from './metrics/metrics-registry';
import { ApisController } from './legacy-apis/apis.controller';
import { ApisService } from './legacy-apis/apis.service';
import { SubscriptionCancelController } from './marketplace/subscription-cancel.controller';
import { SubscriptionCancelService } from './marketplace/subscription-cancel.service';
import { OpenApiController } from './openapi/openapi.controller';
import { PluginMessages } from './plugin-messages/plugin-messages';
import { ProxyCacheController } from './plugin-messages/proxy-cache.controller';
import { SchemasController } from './schemas/schemas.controller';
import { SchemasService } from './schemas/schemas.service';
import type { ControlPlaneSettings } from './settings';
import { TagsController } from './tags/tags.controller';
import { TagsService } from './tags/tags.service';
import { InvoiceIssuer } from './billing/invoice-issuer';
import { InvoiceReader } from './billing/invoice-reader';
import { InvoiceStatus } from './billing/invoice-status';
import { InvoicesController } from './billing/invoices.controller';
import { OrganizationRevenue, OrganizationRevenueController } from './billing/organization-revenue';
import { SubscriptionUsageController, SubscriptionUsageReader } from './billing/subscription-usage';
import { PeriodClose } from './billing/period-close';
import { BatchApplier } from './usage/batch-applier';
import { RollupMarks } from './usage/rollup-marks';
import { RollupWriter } from './usage/rollup-writer';
import { UsageIngestionWorker } from './usage/usage-ingestion.worker';
import { UsageMetrics } from './usage/usage-metrics';
import { UsageRetention } from './usage/usage-retention';
import { UsageRoller } from './usage/usage-roller';

@Module({})
export class AppModule {
  static forSettings(settings: ControlPlaneSettings): DynamicModule {
    return {
      module: AppModule,
      imports: [TypeOrmModule.forRoot(dataSourceOptions(settings.databaseUrl, settings.databaseSchema, settings.databaseReadUrl ?? null))],
      // Fixed paths first: Express tries routes in order, so `/plugins/enabled` wins over `/plugins/:key`.
      controllers: [
        NodeInfoController,
        OpenApiController,
        SchemasController,
        TagsController,
        DataPlanesController,
        DeclarativeConfigController,
        ApisController,
        AnalyticsController,
        MetricsController,
        AdminTokensController,
        AuditLogController,
        ProxyCacheController,
        SubscriptionCancelController,
        InvoicesController,
        SubscriptionUsageController,
        OrganizationRevenueController,
        ...entityControllers(),
      ],
      providers: [
        { provide: APP_FILTER, useClass: AdminExceptionFilter },
        IdempotencyKeys,
        { provide: APP_GUARD, useClass: AccessGuard },
        AdminTokenVerifier,
        AdminTokensService,
        AdminBootstrap,
        AuditLogReader,
        EntityStore,
        EntityInput,
        EntitiesService,
        SubscriptionCancelService,
        ConfigVersionLedger,
        AuditLog,
        NodeInfoService,
        SchemasService,
        TagsService,
        ApisService,
        DeclarativeImportService,
        SnapshotBuilder,
        SnapshotCache,
        DeltaBuilder,
        DataPlaneRegistry,
        PluginAvailability,
        ConfigSyncService,
        ConfigSyncServer,
        ConfigPublisher,
        PluginMessages,
        ChangeLogRetention,
        MetricsRegistry,
        UsageMetrics,
        RollupWriter,
        RollupMarks,
        BatchApplier,
        UsageIngestionWorker,
        UsageRoller,
        UsageRetention,
        UsageEntityNames,
        UsageAnalytics,
        InvoiceIssuer,
        PeriodClose,
        InvoiceReader,
        InvoiceStatus,
        SubscriptionUsageReader,
        OrganizationRevenue,
      ],
    };
  }
}
