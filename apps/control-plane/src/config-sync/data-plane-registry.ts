import { Injectable } from '@nestjs/common';
import type { Hello } from '@tollgate/protocol';
import { DataSource } from 'typeorm';
import { parsePageRequest, toPage, type Page } from '../entities/pagination';

export type SyncStatus = 'normal' | 'unknown' | 'plugin_set_incompatible' | 'config_rejected' | 'disconnected';

/** The `data_plane_nodes` rows behind `/clustering/data-planes`. */
@Injectable()
export class DataPlaneRegistry {
  constructor(private readonly dataSource: DataSource) {}

  /** Records a stream's Hello; `streamId` marks which stream (of which replica) the node is on now. */
  async connected(hello: Hello, ip: string, streamId: string): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO data_plane_nodes (id, hostname, ip, region, labels, version, config_version, config_hash, last_seen, sync_status, plugins, stream_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now(), 'unknown', $9, $10)
       ON CONFLICT (id) DO UPDATE SET hostname = $2, ip = $3, region = $4, labels = $5, version = $6,
         config_version = $7, config_hash = $8, last_seen = now(), plugins = $9, stream_id = $10`,
      [
        hello.node_id,
        hello.hostname,
        ip,
        hello.region || 'default',
        JSON.stringify(hello.labels ?? {}),
        hello.version,
        hello.config_version,
        hello.config_hash,
        JSON.stringify(hello.plugins ?? []),
        streamId,
      ],
    );
  }

  /** The stream closed; a node that already reconnected elsewhere (another stream id) is left alone. */
  async disconnected(nodeId: string, streamId: string): Promise<void> {
    await this.dataSource.query(`UPDATE data_plane_nodes SET stream_id = NULL WHERE id = $1 AND stream_id = $2`, [nodeId, streamId]);
  }

  async applied(nodeId: string, version: number, hash: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE data_plane_nodes SET config_version = $2, config_hash = $3, sync_status = 'normal', last_error = NULL, last_seen = now()
       WHERE id = $1`,
      [nodeId, version, hash],
    );
  }

  async status(nodeId: string, status: SyncStatus, error: unknown = null): Promise<void> {
    await this.dataSource.query(
      `UPDATE data_plane_nodes SET sync_status = $2, last_error = $3, last_seen = now() WHERE id = $1`,
      [nodeId, status, error === null ? null : JSON.stringify(error)],
    );
  }

  async seen(nodeId: string, version: number, hash: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE data_plane_nodes SET last_seen = now(), config_version = $2, config_hash = $3 WHERE id = $1`,
      [nodeId, version, hash],
    );
  }

  async list(query: Record<string, unknown>, path: string): Promise<Page<Record<string, unknown>>> {
    const page = parsePageRequest(query);
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT id, hostname, ip, region, labels, version, config_version::text, config_hash,
              extract(epoch FROM last_seen)::bigint::text AS last_seen, sync_status, last_error
       FROM data_plane_nodes WHERE ($1::uuid IS NULL OR id > $1) ORDER BY id LIMIT $2`,
      [page.after, page.size + 1],
    );
    const present = (r: Record<string, unknown>) => ({
      ...r,
      config_version: r.config_version == null ? null : Number(r.config_version),
      last_seen: Number(r.last_seen),
    });
    return toPage(rows, page, path, present, (r) => [r.id as string]);
  }
}
