import { Module } from '@nestjs/common';
import { EntitiesModule } from '../entities/entities.module';
import { SubscriptionCancelController } from './subscription-cancel.controller';
import { SubscriptionCancelService } from './subscription-cancel.service';

/**
 * The marketplace's own routes beyond the generic CRUD of plans and subscriptions (whose homes
 * sit in this folder and are served by the entities module): cancelling a subscription.
 */
@Module({
  imports: [EntitiesModule],
  controllers: [SubscriptionCancelController],
  providers: [SubscriptionCancelService],
})
export class MarketplaceModule {}
