import { Controller, Delete, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import type { Request } from 'express';
import { ApisService } from './apis.service';

/** Kong 0.x `/apis`, kept so that old scripts and tutorials run unchanged. */
@Controller('apis')
export class ApisController {
  constructor(private readonly apis: ApisService) {}

  @Post()
  create(@Req() req: Request) {
    return this.apis.create(req.adminBody!);
  }

  @Get()
  list(@Query() query: Record<string, unknown>, @Req() req: Request) {
    return this.apis.list(query, req.path);
  }

  @Get(':key')
  get(@Param('key') key: string) {
    return this.apis.get(key);
  }

  @Delete(':key')
  @HttpCode(204)
  async remove(@Param('key') key: string) {
    await this.apis.delete(key);
  }

  @Post(':key/plugins')
  addPlugin(@Param('key') key: string, @Req() req: Request) {
    return this.apis.addPlugin(key, req.adminBody!);
  }

  @Get(':key/plugins')
  listPlugins(@Param('key') key: string, @Query() query: Record<string, unknown>, @Req() req: Request) {
    return this.apis.listPlugins(key, query, req.path);
  }
}
