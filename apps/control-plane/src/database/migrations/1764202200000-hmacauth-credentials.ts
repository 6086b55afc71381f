import type { MigrationInterface, QueryRunner } from 'typeorm';

/** hmac-auth's credentials (Kong's `hmacauth_credentials`), cascading with their consumer. */
export class HmacauthCredentials1764202200000 implements MigrationInterface {
  name = 'HmacauthCredentials1764202200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE hmacauth_credentials (
      id uuid PRIMARY KEY, created_at integer NOT NULL, updated_at integer NOT NULL,
      consumer_id uuid NOT NULL REFERENCES consumers (id) ON DELETE CASCADE,
      username text NOT NULL UNIQUE, secret text NOT NULL, tags text[])`);
    await q.query(`CREATE INDEX hmacauth_credentials_consumer_id_idx ON hmacauth_credentials (consumer_id)`);
    await q.query(`CREATE INDEX hmacauth_credentials_tags_idx ON hmacauth_credentials USING gin (tags)`);
  }

  /** Drops every hmac-auth credential: hmac-auth plugins left in place then refuse every request. */
  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE hmacauth_credentials`);
  }
}
