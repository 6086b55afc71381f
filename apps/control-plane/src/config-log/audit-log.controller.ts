import { Controller, Get, Query, Req } from '@nestjs/common';
import type { Request } from 'express';
import { parseAuditLogQuery } from './audit-log-query';
import { AuditLogReader } from './audit-log-reader';

/** `GET /audit-log?entity=&entity_id=&actor=&from=&to=&size=&offset=`: every write, newest first. */
@Controller('audit-log')
export class AuditLogController {
  constructor(private readonly reader: AuditLogReader) {}

  @Get()
  list(@Query() query: Record<string, unknown>, @Req() req: Request) {
    return this.reader.page(parseAuditLogQuery(query), req.path, query);
  }
}
