import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { readClusterTls } from '@tollgate/protocol';
import type { AddressInfo } from 'node:net';
import { adminBodyParser } from './admin/admin-body-parser';
import { adminRequestScope } from './admin/admin-request-scope';
import { AppModule } from './app.module';
import { ChangeLogRetention } from './config-sync/change-log-retention';
import { ConfigPublisher, type CoalescingOptions } from './config-sync/config-publisher';
import { ConfigSyncServer } from './config-sync/config-sync.server';
import { resolveClusterTlsFiles } from './config-sync/dev-certificates';
import { ensureDatabase } from './database/ensure-database';
import { PinoNestLogger } from './logging/pino-nest-logger';
import type { ControlPlaneSettings } from './settings';
import { UsageIngestionWorker, type UsageWorkerOptions } from './usage/usage-ingestion.worker';
import { UsageRetention } from './usage/usage-retention';
import { UsageRoller } from './usage/usage-roller';

export interface RunningControlPlane {
  readonly app: INestApplication;
  /** `http://host:port` of the admin API. */
  readonly adminUrl: string;
  /** `host:port` of the gRPC config sync endpoint. */
  readonly clusterAddress: string;
  close(): Promise<void>;
}

export interface StartOptions {
  readonly coalescing?: CoalescingOptions;
  /** Usage worker lock timings (tests shorten them to see stalled jobs taken over quickly). */
  readonly usageWorker?: Pick<UsageWorkerOptions, 'lockDurationMs' | 'stalledIntervalMs'>;
}

/**
 * Creates the database and schema if missing, migrates, serves the admin API, and streams
 * config to data planes over gRPC.
 */
export async function startControlPlane(settings: ControlPlaneSettings, options: StartOptions = {}): Promise<RunningControlPlane> {
  const tls = readClusterTls(resolveClusterTlsFiles(settings.clusterTls, settings.devCertificateDir));
  await ensureDatabase(settings.databaseUrl, settings.databaseSchema);
  const app = await NestFactory.create(AppModule.forSettings(settings), {
    bodyParser: false,
    logger: new PinoNestLogger(settings.logLevel),
  });
  app.use(adminRequestScope);
  app.use(adminBodyParser);
  await app.init();
  const publisher = app.get(ConfigPublisher);
  const syncServer = app.get(ConfigSyncServer);
  const retention = app.get(ChangeLogRetention);
  retention.start(settings.retainedVersions);
  const usageWorker = app.get(UsageIngestionWorker);
  const usageRetention = app.get(UsageRetention);
  if (settings.usageWorkerConcurrency > 0) {
    const { redisUrl, redisKeyPrefix, usageWorkerConcurrency: concurrency, usageLockMs } = settings;
    usageWorker.start({ redisUrl, redisKeyPrefix, concurrency, lockDurationMs: usageLockMs, stalledIntervalMs: usageLockMs, ...options.usageWorker });
  }
  const usageRoller = app.get(UsageRoller);
  if (settings.usageRollIntervalMs > 0) usageRoller.start(settings.usageRollIntervalMs);
  usageRetention.start({ minuteRowsMs: settings.usageMinuteRetentionMs, batchIdsMs: settings.usageBatchIdRetentionMs });
  await publisher.start(settings.databaseUrl, settings.databaseSchema, options.coalescing);
  const clusterPort = await syncServer.listen(settings.clusterHost, settings.clusterPort, tls);
  await app.listen(settings.adminPort, settings.adminHost);
  const address = app.getHttpServer().address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    app,
    adminUrl: `http://${host}:${address.port}`,
    clusterAddress: `${settings.clusterHost === '0.0.0.0' ? '127.0.0.1' : settings.clusterHost}:${clusterPort}`,
    async close() {
      retention.stop();
      usageRetention.stop();
      // Before the database pool closes: a batch being applied (or a roll) finishes first.
      await usageWorker.stop();
      await usageRoller.stop();
      await syncServer.close();
      await publisher.close();
      await app.close();
    },
  };
}

export { readControlPlaneSettings, type ControlPlaneSettings } from './settings';
export { SnapshotBuilder } from './config-sync/snapshot-builder';
export { ChangeLogRetention } from './config-sync/change-log-retention';
export { UsageIngestionWorker } from './usage/usage-ingestion.worker';
export { UsageRoller } from './usage/usage-roller';
