import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Admin API credentials (only a SHA-256 of each secret), and who made each audited write. */
export class AdminTokens1764202100000 implements MigrationInterface {
  name = 'AdminTokens1764202100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE admin_tokens (
      id uuid PRIMARY KEY, created_at integer NOT NULL, updated_at integer NOT NULL,
      name text NOT NULL, role text NOT NULL,
      organization_id uuid REFERENCES organizations (id) ON DELETE CASCADE,
      expires_at integer, token_hash text NOT NULL UNIQUE, tags text[])`);
    await q.query(`CREATE INDEX admin_tokens_tags_idx ON admin_tokens USING gin (tags)`);
    await q.query(`ALTER TABLE audit_log ADD COLUMN actor_id uuid, ADD COLUMN request_id text, ADD COLUMN organization_id uuid`);
    await q.query(`CREATE INDEX audit_log_organization_id_idx ON audit_log (organization_id, id)`);
    await q.query(`CREATE INDEX audit_log_entity_idx ON audit_log (entity_type, entity_id, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX audit_log_entity_idx`);
    await q.query(`DROP INDEX audit_log_organization_id_idx`);
    await q.query(`ALTER TABLE audit_log DROP COLUMN actor_id, DROP COLUMN request_id, DROP COLUMN organization_id`);
    await q.query(`DROP TABLE admin_tokens`);
  }
}
