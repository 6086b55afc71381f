import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { RegionSnapshot } from './region-snapshot';
import { SnapshotBuilder } from './snapshot-builder';

/** Recent snapshots kept per region, so data planes a few versions behind get in-memory deltas. */
export const SNAPSHOT_HISTORY = 32;

/**
 * The latest snapshot of each region, built once per (region, version) however many data planes
 * ask, plus a short history. Freshness is checked against config_state on every ask, so a data
 * plane that connects right after a write gets that write even before its notification arrives.
 */
@Injectable()
export class SnapshotCache {
  private readonly history = new Map<string, RegionSnapshot[]>();
  private building: Promise<void> | null = null;

  constructor(
    private readonly builder: SnapshotBuilder,
    private readonly dataSource: DataSource,
  ) {}

  async get(region: string): Promise<RegionSnapshot> {
    return (await this.refresh([region])).get(region)!;
  }

  /** A snapshot of `region` at `version`, if still in the history. */
  find(region: string, version: number): RegionSnapshot | undefined {
    return this.history.get(region)?.find((s) => s.version === version);
  }

  async refresh(regions: readonly string[]): Promise<Map<string, RegionSnapshot>> {
    for (;;) {
      const [state] = await this.dataSource.query('SELECT version FROM config_state');
      const version = Number(state.version);
      if (regions.every((r) => (this.latest(r)?.version ?? -1) >= version)) return new Map(regions.map((r) => [r, this.latest(r)!]));
      await this.rebuild(regions);
    }
  }

  private latest(region: string): RegionSnapshot | undefined {
    const list = this.history.get(region);
    return list?.[list.length - 1];
  }

  /** One build at a time; concurrent askers wait for it and then re-check freshness. */
  private async rebuild(regions: readonly string[]): Promise<void> {
    if (this.building) {
      await this.building.catch(() => undefined);
      return;
    }
    const wanted = [...new Set([...regions, ...this.history.keys()])];
    const previous = new Map(wanted.flatMap((r) => (this.latest(r) ? [[r, this.latest(r)!] as const] : [])));
    this.building = this.builder.build(wanted, previous).then((built) => {
      for (const [region, snapshot] of built) {
        const list = this.history.get(region) ?? [];
        if (list[list.length - 1] !== snapshot) list.push(snapshot);
        if (list.length > SNAPSHOT_HISTORY) list.shift();
        this.history.set(region, list);
      }
    });
    try {
      await this.building;
    } finally {
      this.building = null;
    }
  }
}
