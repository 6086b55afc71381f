import { Injectable } from '@nestjs/common';
import { checkConsistency } from '@tollgate/config';
import { DataSource } from 'typeorm';
import { ConfigState } from './config-state';
import { RegionSnapshot } from './region-snapshot';

/** Raised when the database holds a config that must not be published. */
export class InconsistentConfigError extends Error {}

/**
 * Keeps the whole config in memory at the latest version (advanced by the change log, read in
 * full only at start or when the log was purged past it) and cuts it into per-region snapshots,
 * each checked before it can be published.
 */
@Injectable()
export class SnapshotBuilder {
  private state: ConfigState | null = null;

  constructor(private readonly dataSource: DataSource) {}

  async latestState(): Promise<ConfigState> {
    this.state = await this.dataSource.transaction('REPEATABLE READ', async (db) => {
      const advanced = this.state ? await this.state.advance(db) : null;
      return advanced ?? ConfigState.read(db);
    });
    return this.state;
  }

  /** Snapshots of `regions` at the latest version, each derived from its previous one if given. */
  async build(regions: readonly string[], previous: ReadonlyMap<string, RegionSnapshot> = new Map()): Promise<Map<string, RegionSnapshot>> {
    const state = await this.latestState();
    const out = new Map<string, RegionSnapshot>();
    for (const region of regions) {
      const before = previous.get(region);
      const snapshot = before?.version === state.version ? before : RegionSnapshot.derive(state, region, before ?? null);
      const errors = checkConsistency(snapshot.entities, snapshot.dirty, (c, id) => snapshot.has(c, id));
      if (errors.length > 0) {
        const shown = errors.slice(0, 3).map((e) => `${e.entity} ${e.id} ${e.field}: ${e.message}`);
        throw new InconsistentConfigError(`config version ${state.version} is inconsistent: ${shown.join('; ')}`);
      }
      out.set(region, snapshot);
    }
    return out;
  }
}
