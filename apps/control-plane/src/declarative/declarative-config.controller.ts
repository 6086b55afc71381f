import { Controller, Get, HttpCode, Post, Req } from '@nestjs/common';
import { ENTITIES } from '@tollgate/config';
import { DataSource } from 'typeorm';
import type { Request } from 'express';
import { fromRow } from '../entities/entity-row';
import { DeclarativeImportService } from './declarative-import.service';

/** `/config`: the whole configuration in and out in Kong's declarative format (`_format_version: "3.0"`). */
@Controller('config')
export class DeclarativeConfigController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly importer: DeclarativeImportService,
  ) {}

  @Get()
  async export() {
    return this.dataSource.transaction('REPEATABLE READ', async (db) => {
      const out: Record<string, unknown> = { _format_version: '3.0', _transform: false };
      const [state] = await db.query('SELECT version FROM config_state');
      out._config_version = Number(state.version);
      for (const def of ENTITIES) {
        const rows: Record<string, unknown>[] = await db.query(`SELECT * FROM "${def.name}" ORDER BY id`);
        out[def.name] = rows.map((row) => fromRow(def, row));
      }
      return out;
    });
  }

  @Post()
  @HttpCode(201)
  async import(@Req() req: Request) {
    return { counts: await this.importer.import(req.adminBody!) };
  }
}
