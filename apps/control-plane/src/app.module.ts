import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccessModule } from './access/access.module';
import { AdminExceptionFilter } from './admin/admin-exception.filter';
import { BillingModule } from './billing/billing.module';
import { IdempotencyKeys } from './admin/idempotency/idempotency-keys';
import { AnalyticsModule } from './analytics/analytics.module';
import { ConfigSyncModule } from './config-sync/config-sync.module';
import { CONTROL_PLANE_RUNTIME, type ControlPlaneRuntime } from './control-plane-runtime';
import { dataSourceOptions } from './database/data-source-options';
import { EntitiesModule } from './entities/entities.module';
import { NodeInfoController } from './info/node-info.controller';
import { NodeInfoService } from './info/node-info.service';
import { MarketplaceModule } from './marketplace/marketplace.module';
import { MetricsModule } from './metrics/metrics.module';
import { OpenApiController } from './openapi/openapi.controller';
import { UsageModule } from './usage/usage.module';

/** The runtime (settings, cluster TLS) every domain module reads at start. */
@Module({})
class RuntimeModule {
  static of(runtime: ControlPlaneRuntime): DynamicModule {
    return { module: RuntimeModule, global: true, providers: [{ provide: CONTROL_PLANE_RUNTIME, useValue: runtime }], exports: [CONTROL_PLANE_RUNTIME] };
  }
}

/**
 * The control plane: one Nest module per domain (entities, access, config sync, usage,
 * analytics), each owning its providers and starting and stopping its own background work.
 */
@Module({})
export class AppModule {
  static forRuntime(runtime: ControlPlaneRuntime): DynamicModule {
    const { settings } = runtime;
    return {
      module: AppModule,
      imports: [
        TypeOrmModule.forRoot(dataSourceOptions(settings.databaseUrl, settings.databaseSchema, settings.databaseReadUrl ?? null)),
        RuntimeModule.of(runtime),
        EntitiesModule,
        AccessModule,
        ConfigSyncModule,
        UsageModule,
        AnalyticsModule,
        MetricsModule,
        MarketplaceModule,
        BillingModule,
      ],
      controllers: [NodeInfoController, OpenApiController],
      providers: [{ provide: APP_FILTER, useClass: AdminExceptionFilter }, NodeInfoService, IdempotencyKeys],
    };
  }
}
