import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Which plugins each data plane can run, and on which stream of which replica it is connected,
 * so any replica can refuse a plugin write that a connected data plane cannot run.
 */
export class DataPlanePlugins1764201950000 implements MigrationInterface {
  name = 'DataPlanePlugins1764201950000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE data_plane_nodes ADD COLUMN plugins jsonb NOT NULL DEFAULT '[]', ADD COLUMN stream_id uuid`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE data_plane_nodes DROP COLUMN stream_id, DROP COLUMN plugins`);
  }
}
