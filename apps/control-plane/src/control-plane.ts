import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { readClusterTls } from '@tollgate/protocol';
import type { AddressInfo } from 'node:net';
import { adminAuthentication } from './access/admin-authentication';
import { AdminTokenVerifier } from './access/admin-tokens/admin-token-verifier';
import { adminBodyParser } from './admin/admin-body-parser';
import { hostOriginPolicy } from './admin/host-origin-policy';
import { hostOriginGuard } from './admin/host-origin.guard';
import { optionsResponder } from './admin/options-responder';
import { IdempotencyKeys } from './admin/idempotency/idempotency-keys';
import { idempotency } from './admin/idempotency/idempotency.middleware';
import { adminRequestScope } from './admin/admin-request-scope';
import { AppModule } from './app.module';
import type { ControlPlaneRuntime } from './control-plane-runtime';
import { ConfigSyncServer } from './config-sync/config-sync.server';
import { resolveClusterTlsFiles } from './config-sync/dev-certificates';
import { dashboardDir, dashboardStatic } from './dashboard/dashboard-static';
import { ensureDatabase } from './database/ensure-database';
import { PinoNestLogger } from './logging/pino-nest-logger';
import { isLoopback, type ControlPlaneSettings } from './settings';

export interface RunningControlPlane {
  readonly app: INestApplication;
  /** `http://host:port` of the admin API. */
  readonly adminUrl: string;
  /** `host:port` of the gRPC config sync endpoint. */
  readonly clusterAddress: string;
  close(): Promise<void>;
}

/** Test-only timings: publish coalescing, usage worker locks. */
export type StartOptions = Pick<ControlPlaneRuntime, 'coalescing' | 'usageWorker'>;

/** Off loopback, the admin API is not served while no admin token exists (the bootstrap token, if set, is made by then). */
async function refuseUnguardedListen(settings: ControlPlaneSettings, verifier: AdminTokenVerifier): Promise<void> {
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
  const clusterTls = readClusterTls(resolveClusterTlsFiles(settings.clusterTls, settings.devCertificateDir));
  await ensureDatabase(settings.databaseUrl, settings.databaseSchema);
  const app = await NestFactory.create(AppModule.forRuntime({ settings, clusterTls, ...options }), {
    bodyParser: false,
    logger: new PinoNestLogger(settings.logLevel),
  });
  // A foreign Host or Origin is refused before anything else (no token lookup for a rebinding page).
  app.use(hostOriginGuard(hostOriginPolicy(settings.adminHost, settings.adminHosts, settings.adminAllowOrigins)));
  app.use(optionsResponder);
  app.use(adminRequestScope);
  app.use('/dashboard', dashboardStatic(dashboardDir()));
  const verifier = app.get(AdminTokenVerifier);
  // Who is calling is known before any body is read.
  app.use(adminAuthentication(verifier, { openWithoutTokens: isLoopback(settings.adminHost) }));
  app.use(adminBodyParser);
  app.use(idempotency(app.get(IdempotencyKeys)));
  // Each domain module starts its own work here (sync server, publisher, usage worker, bootstrap token).
  await app.init();
  try {
    await refuseUnguardedListen(settings, verifier);
    await app.listen(settings.adminPort, settings.adminHost);
  } catch (err) {
    await app.close();
    throw err;
  }
  const address = app.getHttpServer().address() as AddressInfo;
  // A wildcard listen is reached through loopback: `Host: 0.0.0.0` is refused like any foreign name.
  const reachable = address.address === '0.0.0.0' ? '127.0.0.1' : address.address === '::' ? '::1' : address.address;
  const host = address.family === 'IPv6' ? `[${reachable}]` : reachable;
  const clusterPort = app.get(ConfigSyncServer).port;
  return {
    app,
    adminUrl: `http://${host}:${address.port}`,
    clusterAddress: `${settings.clusterHost === '0.0.0.0' ? '127.0.0.1' : settings.clusterHost}:${clusterPort}`,
    // Each module stops its own work, before the database pool closes.
    close: () => app.close(),
  };
}

export { readControlPlaneSettings, type ControlPlaneSettings } from './settings';
export { SnapshotBuilder } from './config-sync/snapshot-builder';
export { SnapshotCache } from './config-sync/snapshot-cache';
export { ChangeLogRetention } from './config-sync/change-log-retention';
export { UsageIngestionWorker } from './usage/usage-ingestion.worker';
export { UsageRoller } from './usage/usage-roller';
