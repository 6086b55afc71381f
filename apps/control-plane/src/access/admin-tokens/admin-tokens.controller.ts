import { Controller, Delete, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import type { Request } from 'express';
import { EntitiesService } from '../../entities/entities.service';
import { adminTokens } from './admin-tokens.home';
import { AdminTokensService } from './admin-tokens.service';

/** `/admin-tokens`: create (the secret shown once), list, show, revoke; never a secret in a GET. */
@Controller('admin-tokens')
export class AdminTokensController {
  constructor(
    private readonly tokens: AdminTokensService,
    private readonly entities: EntitiesService,
  ) {}

  // Before `:key`: Express tries routes in order.
  @Get('me')
  me() {
    return this.tokens.whoami();
  }

  @Get()
  list(@Query() query: Record<string, unknown>, @Req() req: Request) {
    return this.entities.list(adminTokens, query, req.path);
  }

  @Post()
  issue(@Req() req: Request) {
    return this.tokens.issue(req.adminBody ?? { body: {}, fromForm: false });
  }

  @Get(':key')
  get(@Param('key') key: string) {
    return this.entities.get(adminTokens, key);
  }

  @Delete(':key')
  @HttpCode(204)
  async revoke(@Param('key') key: string) {
    await this.tokens.revoke(key);
  }
}
