import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

export const CONFIG_VERSION_CHANNEL = 'tollgate_config_version';

export interface ConfigChange {
  readonly entityType: string;
  readonly entityId: string;
  readonly op: 'upsert' | 'delete';
  /** Regions the entity was or now is in; empty means every region. */
  readonly regions: readonly string[];
}

/**
 * Takes the next config version inside an admin write's transaction and appends its changes.
 * The row lock on config_state orders writers, so versions commit in the order they are taken,
 * and a data plane that has seen version N has seen every change up to N.
 */
@Injectable()
export class ConfigVersionLedger {
  async record(db: EntityManager, changes: readonly ConfigChange[]): Promise<number> {
    const rows: { version: string }[] = await db.query(
      // Wrapped in a CTE: TypeORM returns [rows, count] for a bare UPDATE.
      'WITH bumped AS (UPDATE config_state SET version = version + 1 WHERE singleton RETURNING version) SELECT version FROM bumped',
    );
    const version = Number(rows[0]!.version);
    // Last operation per entity wins within one version.
    const latest = new Map<string, ConfigChange>();
    for (const change of changes) latest.set(`${change.entityType}:${change.entityId}`, change);
    const list = [...latest.values()];
    if (list.length > 0) {
      await db.query(
        `INSERT INTO config_changes (version, entity_type, entity_id, op, regions)
         SELECT $1, t.entity_type, t.entity_id, t.op, ARRAY(SELECT jsonb_array_elements_text(t.regions))
         FROM jsonb_to_recordset($2::jsonb) AS t(entity_type text, entity_id uuid, op text, regions jsonb)`,
        [version, JSON.stringify(list.map((c) => ({ entity_type: c.entityType, entity_id: c.entityId, op: c.op, regions: c.regions })))],
      );
    }
    // Channels are database-wide; the schema in the name keeps control planes of different schemas apart.
    await db.query(`SELECT pg_notify('${CONFIG_VERSION_CHANNEL}_' || current_schema(), $1)`, [String(version)]);
    return version;
  }

  /**
   * Takes the config_state row lock now rather than at the end of the write: a write that reads
   * the whole config (a declarative import) runs alone, not beside another one on the same rows.
   */
  async lockForWholeConfig(db: EntityManager): Promise<void> {
    await db.query('SELECT version FROM config_state FOR UPDATE');
  }

  async currentVersion(db: EntityManager): Promise<number> {
    const rows: { version: string }[] = await db.query('SELECT version FROM config_state');
    return Number(rows[0]?.version ?? 0);
  }
}
