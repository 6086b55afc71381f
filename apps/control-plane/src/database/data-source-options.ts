import type { DataSourceOptions } from 'typeorm';
import { InitialSchema1764201600000 } from './migrations/1764201600000-initial-schema';
import { ConfigSync1764201700000 } from './migrations/1764201700000-config-sync';
import { UsageRollups1764201805000 } from './migrations/1764201805000-usage-rollups';
import { UsageRollupMarks1764201900000 } from './migrations/1764201900000-usage-rollup-marks';
import { DataPlanePlugins1764201950000 } from './migrations/1764201950000-data-plane-plugins';
import { HmacauthCredentials1764202200000 } from './migrations/1764202200000-hmacauth-credentials';
import { AdminTokens1764202100000 } from '../access/admin-tokens/admin-tokens.migration';
import { Organizations1764202000000 } from '../organizations/organizations.migration';
import { IdempotencyKeys1764202300000 } from './migrations/1764202300000-idempotency-keys';
import { Marketplace1764202400000 } from '../marketplace/marketplace.migration';
import { Invoices1764202500000 } from '../billing/invoices.migration';

// An entity's migration lives in its own folder (organizations/, access/admin-tokens/); this is the order they run in.

export const MIGRATIONS = [
  InitialSchema1764201600000,
  ConfigSync1764201700000,
  UsageRollups1764201805000,
  UsageRollupMarks1764201900000,
  DataPlanePlugins1764201950000,
  Organizations1764202000000,
  AdminTokens1764202100000,
  HmacauthCredentials1764202200000,
  IdempotencyKeys1764202300000,
  Marketplace1764202400000,
  Invoices1764202500000,
];

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
