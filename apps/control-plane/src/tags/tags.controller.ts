import { Controller, Get, Param, Query, Req } from '@nestjs/common';
import type { Request } from 'express';
import { TagsService } from './tags.service';

@Controller('tags')
export class TagsController {
  constructor(private readonly tags: TagsService) {}

  @Get()
  list(@Query() query: Record<string, unknown>, @Req() req: Request) {
    return this.tags.list(undefined, query, req.path);
  }

  @Get(':tag')
  byTag(@Param('tag') tag: string, @Query() query: Record<string, unknown>, @Req() req: Request) {
    return this.tags.list(tag, query, req.path);
  }
}
