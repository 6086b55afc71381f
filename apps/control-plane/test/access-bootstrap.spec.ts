// eslint-disable-next-line @nx/enforce-module-boundaries
import { createTestSchema, type TestSchema } from '@tollgate/testing';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../src/database/data-source-options';
import { bearer, bootstrapSecret } from './access-support';
import { admin, expectStatus, startTestControlPlane, type TestControlPlane } from './admin-api';

/** A schema already migrated (replicas migrating the same schema at once is not what these tests are about). */
async function migratedSchema(suite: string): Promise<TestSchema> {
  const schema = await createTestSchema(suite);
  const db = new DataSource(dataSourceOptions(schema.databaseUrl, schema.name));
  await db.initialize();
  await db.runMigrations();
  await db.destroy();
  return schema;
}

describe('access: bootstrap and the loopback rule', () => {
  const running: TestControlPlane[] = [];
  const schemas: TestSchema[] = [];

  async function start(schema: TestSchema, options: { adminBootstrapToken?: string; adminHost?: string } = {}): Promise<TestControlPlane> {
    const cp = await startTestControlPlane('access-bootstrap', { schema, usageWorkerConcurrency: 0, ...options });
    running.push(cp);
    return cp;
  }

  afterEach(async () => {
    for (const cp of running.splice(0)) await cp.stop();
    for (const schema of schemas.splice(0)) await schema.drop();
  });

  it('two replicas starting together with TOLLGATE_ADMIN_BOOTSTRAP_TOKEN create it once; a restart creates nothing', async () => {
    const schema = await migratedSchema('access_boot');
    schemas.push(schema);
    const secret = bootstrapSecret();
    const [one, two] = await Promise.all([start(schema, { adminBootstrapToken: secret }), start(schema, { adminBootstrapToken: secret })]);
    const tokens = await schema.query<{ role: string; name: string }>('SELECT role, name FROM admin_tokens');
    expect(tokens).toEqual([{ role: 'admin', name: 'bootstrap-token' }]);
    const audit = await schema.query<{ actor: string; entity_type: string }>(`SELECT actor, entity_type FROM audit_log`);
    expect(audit).toEqual([{ actor: 'bootstrap', entity_type: 'admin_tokens' }]);
    for (const cp of [one!, two!]) {
      expectStatus(await admin(cp).get('/services').set(bearer(secret)), 200);
      expectStatus(await admin(cp).get('/services'), 401);
    }
    await running.shift()!.stop();
    await start(schema, { adminBootstrapToken: secret });
    expect(await schema.query('SELECT id FROM admin_tokens')).toHaveLength(1);
  });

  it('with no token the loopback API is open; off loopback the start is refused until a token exists', async () => {
    const schema = await migratedSchema('access_loopback');
    schemas.push(schema);
    const local = await start(schema);
    const open = await admin(local).post('/services').send({ name: 'open', host: 'open.internal' });
    expectStatus(open, 201);
    const [row] = await schema.query<{ actor: string; actor_id: string | null }>('SELECT actor, actor_id FROM audit_log WHERE entity_id = $1', [open.body.id]);
    expect(row).toEqual({ actor: 'local', actor_id: null });

    await expect(startTestControlPlane('access-bootstrap', { schema, adminHost: '0.0.0.0', usageWorkerConcurrency: 0 })).rejects.toThrow(
      /TOLLGATE_ADMIN_LISTEN=0\.0\.0\.0:0 is not a loopback address and no admin tokens are set up/,
    );

    // The first token, made through the open loopback API (as `tollgate admin-tokens create` does).
    const first = await admin(local).post('/admin-tokens').send({ name: 'first', role: 'admin' });
    expectStatus(first, 201);
    expectStatus(await admin(local).get('/services'), 401);

    const exposed = await start(schema, { adminHost: '0.0.0.0' });
    const res = await admin(exposed).get('/services');
    expectStatus(res, 401);
    expect(res.body).toEqual({ message: expect.stringContaining('An admin token is required') });
    expectStatus(await admin(exposed).get('/services').set(bearer(first.body.token)), 200);
  });
});
