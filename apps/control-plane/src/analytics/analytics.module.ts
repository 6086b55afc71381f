import { Module } from '@nestjs/common';
import { AnalyticsController } from './analytics.controller';
import { UsageAnalytics } from './usage-analytics.service';
import { UsageEntityNames } from './usage-entity-names';

/** `GET /analytics/usage` over the usage rollups (a provider sees its services only). */
@Module({ controllers: [AnalyticsController], providers: [UsageEntityNames, UsageAnalytics] })
export class AnalyticsModule {}
