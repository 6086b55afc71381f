import { Controller, Get, Query, Req } from '@nestjs/common';
import type { Request } from 'express';
import { DataSource } from 'typeorm';
import { encodeOffset, nextLink, parsePageRequest } from '../entities/pagination';

/** `/clustering/data-planes`: every data plane that has connected (filled by the config sync). */
@Controller('clustering/data-planes')
export class DataPlanesController {
  constructor(private readonly dataSource: DataSource) {}

  @Get()
  async list(@Query() query: Record<string, unknown>, @Req() req: Request) {
    const page = parsePageRequest(query);
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT id, hostname, ip, region, labels, version, config_version::text, config_hash,
              extract(epoch FROM last_seen)::bigint::text AS last_seen, sync_status, last_error
       FROM data_plane_nodes WHERE ($1::uuid IS NULL OR id > $1) ORDER BY id LIMIT $2`,
      [page.after, page.size + 1],
    );
    const more = rows.length > page.size;
    const data = (more ? rows.slice(0, page.size) : rows).map((r): Record<string, unknown> => ({
      ...r,
      config_version: r.config_version == null ? null : Number(r.config_version),
      last_seen: Number(r.last_seen),
    }));
    if (!more) return { data, next: null };
    const offset = encodeOffset(data[data.length - 1]!.id as string);
    return { data, offset, next: nextLink(req.path, page, offset) };
  }
}
