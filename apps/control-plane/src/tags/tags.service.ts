import { Injectable } from '@nestjs/common';
import { ENTITIES } from '@tollgate/config';
import { DataSource } from 'typeorm';
import { parsePageRequest, toPage, type Page } from '../entities/pagination';

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
      let after = `u.entity_id > $${params.length}`;
      // An entity has a row per tag, so a page can end inside its tags: resume after (id, tag).
      if (page.afterTag !== null) {
        params.push(page.afterTag);
        after = `(u.entity_id, u.tag) > ($${params.length - 1}::uuid, $${params.length}::text)`;
      }
      keyset = `${filter ? 'AND' : 'WHERE'} ${after}`;
    }
    params.push(page.size + 1);
    const rows: TagRow[] = await this.dataSource.query(
      `SELECT u.entity_name, u.entity_id, u.tag FROM (${unions}) u ${filter} ${keyset} ORDER BY u.entity_id, u.tag LIMIT $${params.length}`,
      params,
    );
    return toPage(rows, page, path, (row) => row, (row) => [row.entity_id, row.tag]);
  }
}
