import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { RegionSnapshot } from './region-snapshot';
import { SnapshotBuilder } from './snapshot-builder';

/**
 * The latest snapshot of each region, built once per (region, version) however many data planes
 * ask. Freshness is checked against config_state on every ask, so a data plane that connects
 * right after a write gets that write even before its notification has arrived.
 */
@Injectable()
export class SnapshotCache {
  private readonly latest = new Map<string, RegionSnapshot>();
  private building: Promise<void> | null = null;

  constructor(
    private readonly builder: SnapshotBuilder,
    private readonly dataSource: DataSource,
  ) {}

  async get(region: string): Promise<RegionSnapshot> {
    return (await this.refresh([region])).get(region)!;
  }

  async refresh(regions: readonly string[]): Promise<Map<string, RegionSnapshot>> {
    for (;;) {
      const [state] = await this.dataSource.query('SELECT version FROM config_state');
      const version = Number(state.version);
      const stale = regions.filter((r) => (this.latest.get(r)?.version ?? -1) < version);
      if (stale.length === 0) return new Map(regions.map((r) => [r, this.latest.get(r)!]));
      await this.rebuild(regions);
    }
  }

  /** One build at a time; concurrent askers wait for it and then re-check freshness. */
  private async rebuild(regions: readonly string[]): Promise<void> {
    if (this.building) {
      await this.building.catch(() => undefined);
      return;
    }
    const wanted = [...new Set([...regions, ...this.latest.keys()])];
    this.building = this.builder.build(wanted).then((built) => {
      for (const [region, snapshot] of built) this.latest.set(region, snapshot);
    });
    try {
      await this.building;
    } finally {
      this.building = null;
    }
  }
}
