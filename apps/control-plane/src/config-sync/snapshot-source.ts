import type { Delta, Hello } from '@tollgate/protocol';
import type { RegionSnapshot } from './region-snapshot';
import type { SyncStatus } from './data-plane-registry';

/** Injection tokens of the two interfaces the sync protocol runs on. */
export const SNAPSHOT_SOURCE = Symbol('SNAPSHOT_SOURCE');
export const DATA_PLANE_RECORDER = Symbol('DATA_PLANE_RECORDER');

/**
 * Where the sync protocol gets config from (go-control-plane's SnapshotCache): the latest
 * snapshot of regions, and deltas between versions. Postgres behind it in production
 * (PostgresSnapshotSource); anything that holds snapshots in a test.
 */
export interface SnapshotSource {
  /** The latest snapshot of each region, built once per (region, version). */
  latest(regions: readonly string[]): Promise<Map<string, RegionSnapshot>>;
  /** The changes from `fromVersion` to `snapshot`, or null when a full snapshot must be sent. */
  delta(fromVersion: number, snapshot: RegionSnapshot): Promise<Delta | null>;
}

/** Where the sync protocol records what each data plane did (`data_plane_nodes` in production). */
export interface DataPlaneRecorder {
  connected(hello: Hello, ip: string, streamId: string): Promise<void>;
  disconnected(nodeId: string, streamId: string): Promise<void>;
  applied(nodeId: string, version: number, hash: string): Promise<void>;
  status(nodeId: string, status: SyncStatus, error?: unknown): Promise<void>;
  seen(nodeId: string, version: number, hash: string): Promise<void>;
}
