import { Injectable } from '@nestjs/common';
import { ENTITIES } from '@tollgate/config';
import { DataSource } from 'typeorm';
import { encodeOffset, nextLink, parsePageRequest, type Page } from '../entities/pagination';

interface TagRow {
  entity_name: string;
  entity_id: string;
  tag: string;
}

/** Kong's `/tags` index, read straight from every entity table's tags column. */
@Injectable()
export class TagsService {
  constructor(private readonly dataSource: DataSource) {}

  async list(tag: string | undefined, query: Record<string, unknown>, path: string): Promise<Page<TagRow>> {
    const page = parsePageRequest({ ...query, tags: undefined });
    const params: unknown[] = [];
    if (tag !== undefined) params.push(tag);
    const filter = tag !== undefined ? 'WHERE u.tag = $1' : '';
    const unions = ENTITIES.map((e) => `SELECT '${e.name}' AS entity_name, id AS entity_id, unnest(tags) AS tag FROM "${e.name}"`).join(' UNION ALL ');
    let keyset = '';
    if (page.after) {
      params.push(page.after);
      keyset = `${filter ? 'AND' : 'WHERE'} u.entity_id > $${params.length}`;
    }
    params.push(page.size + 1);
    const rows: TagRow[] = await this.dataSource.query(
      `SELECT u.entity_name, u.entity_id, u.tag FROM (${unions}) u ${filter} ${keyset} ORDER BY u.entity_id, u.tag LIMIT $${params.length}`,
      params,
    );
    const more = rows.length > page.size;
    const data = more ? rows.slice(0, page.size) : rows;
    if (!more) return { data, next: null };
    const offset = encodeOffset(data[data.length - 1]!.entity_id);
    return { data, offset, next: nextLink(path, page, offset) };
  }
}
