import { Controller, Get, Post } from '@nestjs/common';
import { ENTITIES } from '@tollgate/config';
import { DataSource } from 'typeorm';
import { AdminError, AdminErrorCode } from '../admin/admin-error';
import { fromRow } from '../entities/entity-row';

/** `/config`: the whole configuration in Kong's declarative format (`_format_version: "3.0"`). */
@Controller('config')
export class DeclarativeExportController {
  constructor(private readonly dataSource: DataSource) {}

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
  import() {
    throw new AdminError(
      AdminErrorCode.OPERATION_UNSUPPORTED,
      'declarative import through /config is not available with a database; use the entity endpoints',
    );
  }
}
