import { Injectable } from '@nestjs/common';
import type { Delta } from '@tollgate/protocol';
import { DeltaBuilder } from './delta-builder';
import type { RegionSnapshot } from './region-snapshot';
import { SnapshotCache } from './snapshot-cache';
import type { SnapshotSource } from './snapshot-source';

/** Snapshots built from Postgres (SnapshotCache) and deltas from their history or the change log. */
@Injectable()
export class PostgresSnapshotSource implements SnapshotSource {
  constructor(
    private readonly cache: SnapshotCache,
    private readonly deltas: DeltaBuilder,
  ) {}

  latest(regions: readonly string[]): Promise<Map<string, RegionSnapshot>> {
    return this.cache.refresh(regions);
  }

  delta(fromVersion: number, snapshot: RegionSnapshot): Promise<Delta | null> {
    return this.deltas.build(fromVersion, snapshot);
  }
}
