import { Injectable } from '@nestjs/common';
import type { EntityDefinition } from '@tollgate/config';
import type { EntityManager } from 'typeorm';
import { tenantCondition } from '../access/tenant-filter';
import { columnsOf, quote, toRowValues } from './entity-row';
import type { PageRequest } from './pagination';

export type Row = Record<string, unknown>;

/** A parent an entity is listed or looked up under: `/services/{s}/routes` scopes by service_id. */
export interface ParentScope {
  readonly field: string;
  readonly id: string;
}

/**
 * A row lock a write takes on what it reads, held to its commit. PATCH and PUT take `FOR NO KEY
 * UPDATE` (they keep the id, so children being added under the row do not wait for them), DELETE
 * `FOR UPDATE`, and a child's write `FOR KEY SHARE` on its parent so the parent cannot vanish
 * under it. A lock waited for is taken on the row as committed, or not at all if it was deleted.
 */
export type RowLock = 'FOR UPDATE' | 'FOR NO KEY UPDATE' | 'FOR KEY SHARE';

/** ` AND <condition>` confining a provider to its organization's rows; '' for everyone else. */
function tenant(def: EntityDefinition, params: unknown[]): string {
  const condition = tenantCondition(def, params);
  return condition ? ` AND ${condition}` : '';
}

/** Every SQL statement on Kong's entity tables; one method per question asked. */
@Injectable()
export class EntityStore {
  async findById(db: EntityManager, def: EntityDefinition, id: string, scope?: ParentScope, lock?: RowLock): Promise<Row | null> {
    const params: unknown[] = [id];
    const scoped = scope ? ` AND ${quote(scope.field + '_id')} = $2` : '';
    if (scope) params.push(scope.id);
    const rows: Row[] = await db.query(`SELECT * FROM ${quote(def.name)} WHERE id = $1${scoped}${tenant(def, params)}${lock ? ' ' + lock : ''}`, params);
    return rows[0] ?? null;
  }

  async findByEndpointKey(db: EntityManager, def: EntityDefinition, key: string, scope?: ParentScope, lock?: RowLock): Promise<Row | null> {
    return def.endpointKey ? this.findByUniqueField(db, def, def.endpointKey, key, scope, lock) : null;
  }

  /** The row whose unique `field` holds `value` (an endpoint key, a consumer's custom_id). */
  async findByUniqueField(db: EntityManager, def: EntityDefinition, field: string, value: string, scope?: ParentScope, lock?: RowLock): Promise<Row | null> {
    const params: unknown[] = [value];
    const scoped = scope ? ` AND ${quote(scope.field + '_id')} = $2` : '';
    if (scope) params.push(scope.id);
    const locked = lock ? ' ' + lock : '';
    const rows: Row[] = await db.query(
      `SELECT * FROM ${quote(def.name)} WHERE ${quote(field)} = $1${scoped}${tenant(def, params)} LIMIT 1${locked}`,
      params,
    );
    return rows[0] ?? null;
  }

  /** Keyset page ordered by id: `id > last` walks a btree, so every page costs the same. */
  async findPage(db: EntityManager, def: EntityDefinition, page: PageRequest, scope?: ParentScope): Promise<Row[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (scope) {
      params.push(scope.id);
      where.push(`${quote(scope.field + '_id')} = $${params.length}`);
    }
    if (page.after) {
      params.push(page.after);
      where.push(`id > $${params.length}`);
    }
    const confined = tenantCondition(def, params);
    if (confined) where.push(confined);
    if (page.tags.length > 0) {
      params.push(page.tags);
      where.push(`tags ${page.tagsMode === 'all' ? '@>' : '&&'} $${params.length}::text[]`);
    }
    params.push(page.size + 1);
    const clause = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
    return db.query(`SELECT * FROM ${quote(def.name)} ${clause} ORDER BY id LIMIT $${params.length}`, params);
  }

  async insert(db: EntityManager, def: EntityDefinition, entity: Row): Promise<Row> {
    const columns = columnsOf(def);
    const names = columns.map((c) => quote(c.column)).join(', ');
    const values = columns.map((_, i) => `$${i + 1}`).join(', ');
    const rows: Row[] = await db.query(`INSERT INTO ${quote(def.name)} (${names}) VALUES (${values}) RETURNING *`, toRowValues(def, entity));
    return rows[0]!;
  }

  async update(db: EntityManager, def: EntityDefinition, entity: Row): Promise<Row> {
    const columns = columnsOf(def);
    const sets = columns.map((c, i) => `${quote(c.column)} = $${i + 1}`).join(', ');
    const params = toRowValues(def, entity);
    params.push(entity.id);
    const rows: Row[] = await db.query(
      `WITH updated AS (UPDATE ${quote(def.name)} SET ${sets} WHERE id = $${params.length} RETURNING *) SELECT * FROM updated`,
      params,
    );
    return rows[0]!;
  }

  async delete(db: EntityManager, def: EntityDefinition, id: string): Promise<void> {
    await db.query(`DELETE FROM ${quote(def.name)} WHERE id = $1`, [id]);
  }

  async findReferencingRows(db: EntityManager, def: EntityDefinition, field: string, parentId: string): Promise<Row[]> {
    return db.query(`SELECT * FROM ${quote(def.name)} WHERE ${quote(field + '_id')} = $1`, [parentId]);
  }

  async existsReferencing(db: EntityManager, def: EntityDefinition, field: string, parentId: string): Promise<boolean> {
    const rows: Row[] = await db.query(`SELECT 1 FROM ${quote(def.name)} WHERE ${quote(field + '_id')} = $1 LIMIT 1`, [parentId]);
    return rows.length > 0;
  }
}
