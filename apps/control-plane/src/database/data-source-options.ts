import type { DataSourceOptions, MigrationInterface } from 'typeorm';
import { ENTITY_HOMES } from '../entities/entity-registry';
import { InitialSchema1764201600000 } from './migrations/1764201600000-initial-schema';
import { ConfigSync1764201700000 } from './migrations/1764201700000-config-sync';
import { UsageRollups1764201805000 } from './migrations/1764201805000-usage-rollups';
import { UsageRollupMarks1764201900000 } from './migrations/1764201900000-usage-rollup-marks';
import { DataPlanePlugins1764201950000 } from './migrations/1764201950000-data-plane-plugins';
import { HmacauthCredentials1764202200000 } from './migrations/1764202200000-hmacauth-credentials';
import { IdempotencyKeys1764202300000 } from './migrations/1764202300000-idempotency-keys';
import { Marketplace1764202400000 } from '../marketplace/marketplace.migration';
import { Invoices1764202500000 } from '../billing/invoices.migration';

const SHARED_MIGRATIONS = [
  InitialSchema1764201600000,
  ConfigSync1764201700000,
  UsageRollups1764201805000,
  UsageRollupMarks1764201900000,
  DataPlanePlugins1764201950000,
  HmacauthCredentials1764202200000,
  IdempotencyKeys1764202300000,
  Marketplace1764202400000,
  Invoices1764202500000,
];

/** The timestamp every migration class name ends with: the order they run in. */
function timestampOf(migration: new () => MigrationInterface): number {
  const match = /(\d{13})$/.exec(migration.name);
  if (!match) throw new Error(`migration ${migration.name} does not end with its 13-digit timestamp`);
  return Number(match[1]);
}

/** The shared migrations and those an entity home brings from its own folder, by timestamp. */
export const MIGRATIONS = [...SHARED_MIGRATIONS, ...ENTITY_HOMES.flatMap((home) => home.migrations ?? [])].sort((a, b) => timestampOf(a) - timestampOf(b));

/** TypeORM options: explicit migrations run on start, never `synchronize`. */
export function dataSourceOptions(databaseUrl: string, schema: string, readUrl: string | null = null): DataSourceOptions {
  return {
    type: 'postgres',
    // With a read replica, writes and migrations go to the primary; replicaQuery reads the replica.
    ...(readUrl === null ? { url: databaseUrl } : { replication: { master: { url: databaseUrl }, slaves: [{ url: readUrl }] } }),
    schema,
    synchronize: false,
    migrationsRun: true,
    migrationsTransactionMode: 'each',
    migrations: MIGRATIONS,
    entities: [],
    // Query errors surface as exceptions mapped to Kong's errors; logging them too would print
    // every refused duplicate.
    logging: false,
    extra: { options: `-c search_path="${schema}"`, max: 10 },
  };
}
