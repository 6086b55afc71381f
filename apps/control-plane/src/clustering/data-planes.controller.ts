import { Controller, Get, Query, Req } from '@nestjs/common';
import type { Request } from 'express';
import { DataPlaneRegistry } from '../config-sync/data-plane-registry';

/** `/clustering/data-planes`: every data plane that has connected, with its sync state. */
@Controller('clustering/data-planes')
export class DataPlanesController {
  constructor(private readonly registry: DataPlaneRegistry) {}

  @Get()
  list(@Query() query: Record<string, unknown>, @Req() req: Request) {
    return this.registry.list(query, req.path);
  }
}
