import { ENTITIES } from '@tollgate/config';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { createTestSchema, type TestSchema } from '@tollgate/testing';
import { DataSource } from 'typeorm';
import type { AdminToken } from '../src/access/admin-tokens/admin-tokens.home';
import { dataSourceOptions } from '../src/database/data-source-options';
import { columnsOf } from '../src/entities/entity-row';
import { ADMIN_ENTITIES, ENTITY_HOMES, findAdminEntity } from '../src/entities/entity-registry';
import type { Organization } from '../src/organizations/organizations.home';
import { undoThrough } from './migration-support';

interface ColumnRow {
  table_name: string;
  column_name: string;
  is_nullable: 'YES' | 'NO';
}

describe('each entity has one home, and its table matches its definition', () => {
  let schema: TestSchema;
  let db: DataSource;

  beforeAll(async () => {
    schema = await createTestSchema('entity_homes');
    db = new DataSource(dataSourceOptions(schema.databaseUrl, schema.name));
    await db.initialize();
    await db.runMigrations();
  });

  afterAll(async () => {
    await db?.destroy();
    await schema?.drop();
  });

  async function columns(table: string): Promise<ColumnRow[]> {
    return schema.query<ColumnRow>(
      `SELECT table_name, column_name, is_nullable FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY column_name`,
      [schema.name, table],
    );
  }

  it.each(ADMIN_ENTITIES.map((def) => [def.name, def] as const))('%s: one column per field, NOT NULL exactly where the definition never allows null', async (_name, def) => {
    const found = await columns(def.name);
    const expected = columnsOf(def).map(({ field, column }) => {
      const f = def.fields[field]!;
      const neverNull = !f.nullable && (f.required === true || f.default !== undefined || f.auto === true);
      return { table_name: def.name, column_name: column, is_nullable: neverNull ? 'NO' : 'YES' };
    });
    expect(found).toEqual(expected.sort((a, b) => (a.column_name < b.column_name ? -1 : 1)));
  });

  it('every shared Kong entity has a home, and every home a distinct name', () => {
    for (const def of ENTITIES) expect(findAdminEntity(def.name)?.name).toBe(def.name);
    expect(new Set(ENTITY_HOMES.map((h) => h.definition.name)).size).toBe(ENTITY_HOMES.length);
  });

  it('the migrations of organizations and admin_tokens are reversible', async () => {
    await undoThrough(db, 'Organizations1764202000000');
    expect(await columns('organizations')).toEqual([]);
    expect(await columns('admin_tokens')).toEqual([]);
    expect((await columns('services')).map((c) => c.column_name)).not.toContain('organization_id');
    await db.runMigrations();
    expect((await columns('services')).map((c) => c.column_name)).toContain('organization_id');
  });

  it('the TypeScript types of organizations and admin tokens are derived from their definitions', () => {
    // Compile-time: a field added to a definition without a value here fails the typecheck.
    const organization: Organization = { id: 'o', created_at: 0, updated_at: 0, tags: null, name: 'acme' };
    const token: AdminToken = {
      id: 't',
      created_at: 0,
      updated_at: 0,
      tags: null,
      name: 'ci',
      role: 'provider',
      organization: { id: organization.id },
      expires_at: null,
    };
    // @ts-expect-error the secret's hash is write-only: not part of what the API shows
    expect(token.token_hash).toBeUndefined();
    // @ts-expect-error a role outside the definition's one_of does not compile
    const wrong: AdminToken['role'] = 'root';
    expect(wrong).toBe('root');
  });
});
