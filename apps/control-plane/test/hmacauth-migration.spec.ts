// The fixture starts this very app in-process, so the import closes a loop that only tests may close.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { createTestSchema } from '@tollgate/testing';
import { DataSource } from 'typeorm';
import { dataSourceOptions, MIGRATIONS } from '../src/database/data-source-options';
import { undoThrough } from './migration-support';

describe('migration: hmacauth_credentials', () => {
  it('creates the table with its consumer cascade, and reverts cleanly', async () => {
    const schema = await createTestSchema('hmacauth-migration');
    const db = new DataSource({ ...dataSourceOptions(schema.databaseUrl, schema.name), migrations: MIGRATIONS });
    try {
      await db.initialize();
      const consumer = '00000000-0000-4000-8000-000000000001';
      await db.query(`INSERT INTO consumers (id, created_at, updated_at, username) VALUES ($1, 1, 1, 'bob')`, [consumer]);
      await db.query(`INSERT INTO hmacauth_credentials (id, created_at, updated_at, consumer_id, username, secret) VALUES ($1, 1, 1, $2, 'bob', 's')`, ['00000000-0000-4000-8000-000000000002', consumer]);
      await expect(db.query(`INSERT INTO hmacauth_credentials (id, created_at, updated_at, consumer_id, username, secret) VALUES ($1, 1, 1, $2, 'bob', 't')`, ['00000000-0000-4000-8000-000000000003', consumer])).rejects.toThrow(/unique/i);
      await db.query(`DELETE FROM consumers WHERE id = $1`, [consumer]);
      expect(await db.query(`SELECT count(*)::int AS n FROM hmacauth_credentials`)).toEqual([{ n: 0 }]);
      await undoThrough(db, 'HmacauthCredentials1764202200000');
      expect(await db.query(`SELECT to_regclass('hmacauth_credentials') AS t`)).toEqual([{ t: null }]);
      await db.runMigrations();
      expect(await db.query(`SELECT to_regclass('hmacauth_credentials')::text AS t`)).toEqual([{ t: 'hmacauth_credentials' }]);
    } finally {
      await db.destroy();
      await schema.drop();
    }
  });
});
