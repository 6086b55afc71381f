import pino from 'pino';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from './database/data-source-options';
import { ensureDatabase } from './database/ensure-database';
import { readControlPlaneSettings } from './settings';

const log = pino({ base: { role: 'migrate', pid: process.pid } });

/**
 * `node dist/apps/control-plane/migrate.js`: creates the database and schema if missing, runs
 * the pending migrations and exits, so that a deployment migrates once (a Helm hook Job, a
 * compose one-shot service) before its control-plane replicas start, rather than every replica
 * racing to migrate at once. Replicas still migrate on start, finding nothing left to do.
 */
async function main(): Promise<void> {
  const { databaseUrl, databaseSchema } = readControlPlaneSettings();
  await ensureDatabase(databaseUrl, databaseSchema);
  const dataSource = new DataSource(dataSourceOptions(databaseUrl, databaseSchema));
  await dataSource.initialize();
  const applied = await dataSource.query(`SELECT name FROM "${databaseSchema}".migrations ORDER BY id`);
  await dataSource.destroy();
  log.info({ schema: databaseSchema, migrations: (applied as { name: string }[]).map((row) => row.name) }, 'database migrated');
}

main().catch((err: unknown) => {
  log.fatal({ error: err instanceof Error ? err.message : String(err) }, 'migration failed');
  process.exit(1);
});
