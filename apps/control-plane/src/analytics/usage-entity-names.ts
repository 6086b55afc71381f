import { Injectable } from '@nestjs/common';
import { isUuid } from '@tollgate/config';
import { DataSource } from 'typeorm';
import { invalidParameter, type UsageFilters } from './usage-query';
import type { ResolvedFilters } from './usage-sql';

export type NamedEntity = 'service' | 'route' | 'consumer';

/** Where each named dimension's names live; consumers are named by username, else custom_id. */
const TABLES: Readonly<Record<NamedEntity, { readonly table: string; readonly name: string; readonly key: string }>> = {
  service: { table: 'services', name: 'name', key: 'name' },
  route: { table: 'routes', name: 'name', key: 'name' },
  consumer: { table: 'consumers', name: 'coalesce(username, custom_id)', key: 'username' },
};

export const NAMED_ENTITIES = Object.keys(TABLES) as NamedEntity[];

/**
 * Turns `service=`, `route=` and `consumer=` names into ids, and ids in results into names. A
 * UUID is taken as an id as it is, so usage of a deleted entity stays reachable.
 */
@Injectable()
export class UsageEntityNames {
  constructor(private readonly dataSource: DataSource) {}

  async resolve(filters: UsageFilters): Promise<ResolvedFilters> {
    const resolved: ResolvedFilters = { ...filters };
    for (const entity of NAMED_ENTITIES) {
      const value = filters[entity];
      if (value === undefined) continue;
      if (isUuid(value)) {
        resolved[entity] = value.toLowerCase();
        continue;
      }
      const { table, key } = TABLES[entity];
      const rows: { id: string }[] = await this.dataSource.query(`SELECT id FROM ${table} WHERE ${key} = $1`, [value]);
      if (rows.length === 0) throw invalidParameter(entity, `no ${entity} with id or ${key} '${value}'`);
      resolved[entity] = rows[0]!.id;
    }
    return resolved;
  }

  /** Current names of these ids (absent: deleted since). */
  async names(entity: NamedEntity, ids: readonly string[]): Promise<Map<string, string | null>> {
    if (ids.length === 0) return new Map();
    const { table, name } = TABLES[entity];
    const rows: { id: string; name: string | null }[] = await this.dataSource.query(`SELECT id, ${name} AS name FROM ${table} WHERE id = ANY($1::uuid[])`, [ids]);
    return new Map(rows.map((r) => [r.id, r.name]));
  }
}
