import { Injectable } from '@nestjs/common';
import { ENTITY_COLLECTIONS, type EntityCollection } from '@tollgate/config';
import type { Delta } from '@tollgate/protocol';
import { DataSource } from 'typeorm';
import type { RegionSnapshot } from './region-snapshot';

/** Past this many changed entities a full snapshot is cheaper to build and apply than a delta. */
export const MAX_DELTA_CHANGES = 5000;

const COLLECTIONS = new Set<string>(ENTITY_COLLECTIONS);

interface ChangeRow {
  entity_type: string;
  entity_id: string;
  op: 'upsert' | 'delete';
}

/**
 * The changes from a data plane's version to a snapshot's, from the change log: the last
 * operation per entity wins, and the entity's content is the snapshot's, so a delta always lands
 * a data plane exactly on the snapshot (its hash says so). Null when the change log no longer
 * reaches back that far, or the delta would be larger than a snapshot is worth.
 */
@Injectable()
export class DeltaBuilder {
  constructor(private readonly dataSource: DataSource) {}

  async build(fromVersion: number, snapshot: RegionSnapshot): Promise<Delta | null> {
    if (fromVersion <= 0 || fromVersion >= snapshot.version) return null;
    const [state] = await this.dataSource.query('SELECT changes_purged_through FROM config_state');
    if (fromVersion < Number(state.changes_purged_through)) return null;
    const rows: ChangeRow[] = await this.dataSource.query(
      `SELECT DISTINCT ON (entity_type, entity_id) entity_type, entity_id, op
       FROM config_changes
       WHERE version > $1 AND version <= $2 AND (regions = '{}' OR $3 = ANY (regions))
       ORDER BY entity_type, entity_id, version DESC
       LIMIT $4`,
      [fromVersion, snapshot.version, snapshot.region, MAX_DELTA_CHANGES + 1],
    );
    if (rows.length > MAX_DELTA_CHANGES) return null;
    const delta: Delta = { from_version: fromVersion, to_version: snapshot.version, hash: snapshot.hash, upserts: [], deletes: [] };
    for (const row of rows) {
      if (!COLLECTIONS.has(row.entity_type)) continue;
      const entity = snapshot.find(row.entity_type as EntityCollection, row.entity_id);
      // Whatever the log says, the snapshot decides: present means upsert, absent means delete.
      if (entity) delta.upserts.push({ entity: row.entity_type, id: row.entity_id, json: Buffer.from(JSON.stringify(entity)) });
      else delta.deletes.push({ entity: row.entity_type, id: row.entity_id });
    }
    return delta;
  }
}
