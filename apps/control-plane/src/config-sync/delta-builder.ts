import { Injectable } from '@nestjs/common';
import { ENTITY_COLLECTIONS, type EntityCollection } from '@tollgate/config';
import type { Delta } from '@tollgate/protocol';
import { DataSource } from 'typeorm';
import type { RegionSnapshot } from './region-snapshot';
import { SnapshotCache } from './snapshot-cache';

/** Past this many changed entities a full snapshot is cheaper to build and apply than a delta. */
export const MAX_DELTA_CHANGES = 5000;
const CACHED_DELTAS = 128;

const COLLECTIONS = new Set<string>(ENTITY_COLLECTIONS);

interface ChangeRow {
  entity_type: string;
  entity_id: string;
}

/**
 * The changes from a data plane's version to a snapshot's. From the snapshot history in memory
 * when it still holds the older version (shared by every data plane at that version), else from
 * the change log. Either way the content comes from the target snapshot, so a delta always lands
 * a data plane exactly on it (the hash says so). Null when neither reaches back that far, or the
 * delta would be larger than a snapshot is worth.
 */
@Injectable()
export class DeltaBuilder {
  private readonly cache = new Map<string, Delta | null>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly snapshots: SnapshotCache,
  ) {}

  async build(fromVersion: number, snapshot: RegionSnapshot): Promise<Delta | null> {
    if (fromVersion <= 0 || fromVersion >= snapshot.version) return null;
    const key = `${snapshot.region}:${fromVersion}:${snapshot.version}`;
    if (this.cache.has(key)) return this.cache.get(key)!;
    const older = this.snapshots.find(snapshot.region, fromVersion);
    const delta = older ? this.fromHistory(older, snapshot) : await this.fromChangeLog(fromVersion, snapshot);
    this.cache.set(key, delta);
    if (this.cache.size > CACHED_DELTAS) this.cache.delete(this.cache.keys().next().value!);
    return delta;
  }

  private fromHistory(older: RegionSnapshot, snapshot: RegionSnapshot): Delta | null {
    const diff = snapshot.diffFrom(older);
    if (diff.upserts.length + diff.deletes.length > MAX_DELTA_CHANGES) return null;
    return {
      from_version: older.version,
      to_version: snapshot.version,
      hash: snapshot.hash,
      upserts: diff.upserts.map(({ collection, entity }) => ({ entity: collection, id: entity.id, json: Buffer.from(JSON.stringify(entity)) })),
      deletes: diff.deletes.map(({ collection, id }) => ({ entity: collection, id })),
    };
  }

  private async fromChangeLog(fromVersion: number, snapshot: RegionSnapshot): Promise<Delta | null> {
    const [state] = await this.dataSource.query('SELECT changes_purged_through FROM config_state');
    if (fromVersion < Number(state.changes_purged_through)) return null;
    const rows: ChangeRow[] = await this.dataSource.query(
      `SELECT DISTINCT entity_type, entity_id FROM config_changes
       WHERE version > $1 AND version <= $2 AND (regions = '{}' OR $3 = ANY (regions))
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
