import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Records up to which version the change log has been purged, so deltas know their floor. */
export class ConfigSync1764201700000 implements MigrationInterface {
  name = 'ConfigSync1764201700000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE config_state ADD COLUMN changes_purged_through bigint NOT NULL DEFAULT 0`);
    await q.query(`CREATE INDEX config_changes_entity_idx ON config_changes (entity_type, entity_id, version)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX config_changes_entity_idx`);
    await q.query(`ALTER TABLE config_state DROP COLUMN changes_purged_through`);
  }
}
