import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { readClusterTls } from '@tollgate/protocol';
import type { AddressInfo } from 'node:net';
import { adminAuthentication } from './access/admin-authentication';
import { AdminBootstrap } from './access/admin-bootstrap';
import { AdminTokenVerifier } from './access/admin-tokens/admin-token-verifier';
import { adminBodyParser } from './admin/admin-body-parser';
import { hostOriginPolicy } from './admin/host-origin-policy';
import { hostOriginGuard } from './admin/host-origin.guard';
import { IdempotencyKeys } from './admin/idempotency/idempotency-keys';
import { idempotency } from './admin/idempotency/idempotency.middleware';
import { adminRequestScope } from './admin/admin-request-scope';
import { AppModule } from './app.module';
import { ChangeLogRetention } from './config-sync/change-log-retention';
import { ConfigPublisher, type CoalescingOptions } from './config-sync/config-publisher';
import { ConfigSyncServer } from './config-sync/config-sync.server';
import { resolveClusterTlsFiles } from './config-sync/dev-certificates';
import { dashboardDir, dashboardStatic } from './dashboard/dashboard-static';
import { ensureDatabase } from './database/ensure-database';
import { PinoNestLogger } from './logging/pino-nest-logger';
import { isLoopback, type ControlPlaneSettings } from './settings';
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

/** Creates the bootstrap token if asked to, then refuses to serve off loopback while no token exists. */
async function guardAdminListen(app: INestApplication, settings: ControlPlaneSettings, verifier: AdminTokenVerifier): Promise<void> {
  if (settings.adminBootstrapToken !== null) await app.get(AdminBootstrap).ensure(settings.adminBootstrapToken);
  if (isLoopback(settings.adminHost) || (await verifier.anyTokenExists())) return;
  throw new Error(
    `TOLLGATE_ADMIN_LISTEN=${settings.adminHost}:${settings.adminPort} is not a loopback address and no admin tokens are set up: ` +
      'refusing to expose an unauthenticated admin API (set TOLLGATE_ADMIN_BOOTSTRAP_TOKEN, or create one with `npm run tollgate -- admin-tokens create` on loopback first)',
  );
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
  // A foreign Host or Origin is refused before anything else (no token lookup for a rebinding page).
  app.use(hostOriginGuard(hostOriginPolicy(settings.adminHost, settings.adminHosts, settings.adminAllowOrigins)));
  app.use(adminRequestScope);
  app.use('/dashboard', dashboardStatic(dashboardDir()));
  const verifier = app.get(AdminTokenVerifier);
  // Who is calling is known before any body is read.
  app.use(adminAuthentication(verifier, { openWithoutTokens: isLoopback(settings.adminHost) }));
  app.use(adminBodyParser);
  app.use(idempotency(app.get(IdempotencyKeys)));
  await app.init();
  try {
    await guardAdminListen(app, settings, verifier);
  } catch (err) {
    await app.close();
    throw err;
  }
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
