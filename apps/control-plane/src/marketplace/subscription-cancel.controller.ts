import { Controller, HttpCode, Param, Post, Req } from '@nestjs/common';
import type { Request } from 'express';
import { SubscriptionCancelService } from './subscription-cancel.service';

@Controller('subscriptions')
export class SubscriptionCancelController {
  constructor(private readonly cancels: SubscriptionCancelService) {}

  @Post(':key/cancel')
  @HttpCode(200)
  cancel(@Param('key') key: string, @Req() req: Request) {
    return this.cancels.cancel(key, req.adminBody ?? { body: {}, fromForm: false });
  }
}
