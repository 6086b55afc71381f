import { Injectable } from '@nestjs/common';
import { checkConsistency, ENTITIES, type ConfigEntities } from '@tollgate/config';
import { DataSource } from 'typeorm';
import { fromRow } from '../entities/entity-row';
import { filterForRegion } from './region-filter';
import { RegionSnapshot } from './region-snapshot';

/** Raised when the database holds a config that must not be published. */
export class InconsistentConfigError extends Error {}

/**
 * Reads the whole data-plane config at one version (one REPEATABLE READ transaction, so the
 * version and the rows agree) and cuts it into per-region snapshots.
 */
@Injectable()
export class SnapshotBuilder {
  constructor(private readonly dataSource: DataSource) {}

  async readAll(): Promise<{ version: number; entities: ConfigEntities }> {
    return this.dataSource.transaction('REPEATABLE READ', async (db) => {
      const [state] = await db.query('SELECT version FROM config_state');
      const entities: Record<string, unknown[]> = {};
      for (const def of ENTITIES) {
        if (!def.dataPlane) continue;
        const rows: Record<string, unknown>[] = await db.query(`SELECT * FROM "${def.name}" ORDER BY id`);
        entities[def.name] = rows.map((row) => fromRow(def, row, true));
      }
      return { version: Number(state.version), entities: entities as unknown as ConfigEntities };
    });
  }

  /** Builds one snapshot per region from one read; checks each before it can be published. */
  async build(regions: readonly string[]): Promise<Map<string, RegionSnapshot>> {
    const { version, entities } = await this.readAll();
    const out = new Map<string, RegionSnapshot>();
    for (const region of regions) {
      const scoped = filterForRegion(entities, region);
      const errors = checkConsistency(scoped);
      if (errors.length > 0) {
        throw new InconsistentConfigError(`config version ${version} is inconsistent: ${errors.slice(0, 3).map((e) => `${e.entity} ${e.id} ${e.field}: ${e.message}`).join('; ')}`);
      }
      out.set(region, new RegionSnapshot(region, version, scoped));
    }
    return out;
  }
}
