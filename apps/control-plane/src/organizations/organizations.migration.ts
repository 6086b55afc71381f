import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The entities a provider owns; targets and SNIs belong to them through their parent. */
export const OWNED_TABLES = ['services', 'routes', 'plugins', 'upstreams', 'certificates'] as const;

/** `organizations` (marketplace providers) and the `organization` reference of what they own. */
export class Organizations1764202000000 implements MigrationInterface {
  name = 'Organizations1764202000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE organizations (
      id uuid PRIMARY KEY, created_at integer NOT NULL, updated_at integer NOT NULL,
      name text NOT NULL UNIQUE, tags text[])`);
    await q.query(`CREATE INDEX organizations_tags_idx ON organizations USING gin (tags)`);
    for (const table of OWNED_TABLES) {
      await q.query(`ALTER TABLE ${table} ADD COLUMN organization_id uuid REFERENCES organizations (id)`);
      await q.query(`CREATE INDEX ${table}_organization_id_idx ON ${table} (organization_id)`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of OWNED_TABLES) await q.query(`ALTER TABLE ${table} DROP COLUMN organization_id`);
    await q.query(`DROP TABLE organizations`);
  }
}
