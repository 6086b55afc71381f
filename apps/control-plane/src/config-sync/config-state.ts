import { ENTITIES, ENTITY_COLLECTIONS, type EntityCollection, type EntityDefinition } from '@tollgate/config';
import type { EntityManager } from 'typeorm';
import { fromRow } from '../entities/entity-row';

export type Entity = Readonly<Record<string, unknown>> & { readonly id: string };
export type Collections = ReadonlyMap<EntityCollection, ReadonlyMap<string, Entity>>;

const DATA_PLANE_ENTITIES = ENTITIES.filter((def) => def.dataPlane);
const BY_NAME = new Map<string, EntityDefinition>(DATA_PLANE_ENTITIES.map((def) => [def.name, def]));

interface ChangeRow {
  entity_type: string;
  entity_id: string;
}

/**
 * Every data-plane entity of every region at one version, indexed by id. Advancing to a newer
 * version reads only the entities the change log names, and shares every untouched collection
 * (and every untouched entity object) with the previous state: identity tells what changed.
 */
export class ConfigState {
  private constructor(
    readonly version: number,
    readonly collections: Collections,
    /** The version this state was advanced from, and the collections that changed since. */
    readonly previousVersion: number | null = null,
    readonly changed: ReadonlySet<EntityCollection> | null = null,
  ) {}

  static async read(db: EntityManager): Promise<ConfigState> {
    const [state] = await db.query('SELECT version FROM config_state');
    const collections = new Map<EntityCollection, Map<string, Entity>>();
    for (const def of DATA_PLANE_ENTITIES) {
      const rows: Record<string, unknown>[] = await db.query(`SELECT * FROM "${def.name}"`);
      collections.set(def.name as EntityCollection, new Map(rows.map((row) => [row.id as string, fromRow(def, row, true) as Entity])));
    }
    return new ConfigState(Number(state.version), collections);
  }

  /**
   * The state at the database's current version, or null when the change log no longer reaches
   * back to this version (the caller reads everything again). `db` must be a REPEATABLE READ
   * transaction so the version, the log and the rows agree.
   */
  async advance(db: EntityManager): Promise<ConfigState | null> {
    const [state] = await db.query('SELECT version, changes_purged_through FROM config_state');
    const version = Number(state.version);
    if (version === this.version) return this;
    if (this.version < Number(state.changes_purged_through) || version < this.version) return null;
    const changes: ChangeRow[] = await db.query(
      'SELECT DISTINCT entity_type, entity_id FROM config_changes WHERE version > $1 AND version <= $2',
      [this.version, version],
    );
    const byType = new Map<string, string[]>();
    for (const change of changes) {
      if (!BY_NAME.has(change.entity_type)) continue;
      let ids = byType.get(change.entity_type);
      if (!ids) byType.set(change.entity_type, (ids = []));
      ids.push(change.entity_id);
    }
    const collections = new Map(this.collections);
    for (const [type, ids] of byType) {
      const def = BY_NAME.get(type)!;
      const rows: Record<string, unknown>[] = await db.query(`SELECT * FROM "${def.name}" WHERE id = ANY($1::uuid[])`, [ids]);
      const map = new Map(collections.get(type as EntityCollection));
      // The rows decide, not the log's op: present means upsert, absent means deleted.
      for (const id of ids) map.delete(id);
      for (const row of rows) map.set(row.id as string, fromRow(def, row, true) as Entity);
      collections.set(type as EntityCollection, map);
    }
    return new ConfigState(version, collections, this.version, new Set(byType.keys() as Iterable<EntityCollection>));
  }

  /** A state held in memory, with no database behind it (a snapshot source in tests). */
  static fromEntities(version: number, entities: Partial<Record<EntityCollection, readonly Entity[]>>): ConfigState {
    const collections = new Map(ENTITY_COLLECTIONS.map((c) => [c, new Map((entities[c] ?? []).map((e) => [e.id, e]))]));
    return new ConfigState(version, collections);
  }

  static empty(): ConfigState {
    return new ConfigState(-1, new Map(ENTITY_COLLECTIONS.map((c) => [c, new Map()])));
  }
}
