import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { AddressInfo } from 'node:net';
import { adminBodyParser } from './admin/admin-body-parser';
import { AppModule } from './app.module';
import { ensureDatabase } from './database/ensure-database';
import type { ControlPlaneSettings } from './settings';

export interface RunningControlPlane {
  readonly app: INestApplication;
  /** `http://host:port` of the admin API. */
  readonly adminUrl: string;
  close(): Promise<void>;
}

/** Creates the database and schema if missing, migrates, and serves the admin API. */
export async function startControlPlane(settings: ControlPlaneSettings): Promise<RunningControlPlane> {
  await ensureDatabase(settings.databaseUrl, settings.databaseSchema);
  const app = await NestFactory.create(AppModule.forSettings(settings), {
    bodyParser: false,
    logger: settings.logLevel === 'silent' ? false : ['error', 'warn', 'log'],
  });
  app.use(adminBodyParser);
  app.enableShutdownHooks();
  await app.listen(settings.adminPort, settings.adminHost);
  const address = app.getHttpServer().address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    app,
    adminUrl: `http://${host}:${address.port}`,
    close: () => app.close(),
  };
}
export { readControlPlaneSettings, type ControlPlaneSettings } from './settings';
