import { Controller, Get, HttpCode, Param, Post, Req } from '@nestjs/common';
import type { Request } from 'express';
import { SchemasService } from './schemas.service';

@Controller()
export class SchemasController {
  constructor(private readonly schemas: SchemasService) {}

  @Get('plugins/enabled')
  enabledPlugins() {
    return this.schemas.enabledPlugins();
  }

  @Get('schemas/plugins/:name')
  pluginSchema(@Param('name') name: string) {
    return this.schemas.pluginSchema(name);
  }

  // Validation creates nothing: Kong answers 200, not 201.
  @Post('schemas/plugins/validate')
  @HttpCode(200)
  validatePlugin(@Req() req: Request) {
    return this.schemas.validatePlugin(req.adminBody!);
  }

  @Get('schemas/:entity')
  entitySchema(@Param('entity') entity: string) {
    return this.schemas.entitySchema(entity);
  }

  @Post('schemas/:entity/validate')
  @HttpCode(200)
  validateEntity(@Param('entity') entity: string, @Req() req: Request) {
    return this.schemas.validateEntity(entity, req.adminBody!);
  }
}
