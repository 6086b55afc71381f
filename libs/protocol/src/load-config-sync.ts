import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { join } from 'node:path';

export const CONFIG_SYNC_PROTO = join(__dirname, '..', '..', '..', 'proto', 'tollgate', 'v1', 'config_sync.proto');

// int64 as JS numbers: config versions stay far below 2^53.
const LOADER_OPTIONS: protoLoader.Options = { keepCase: true, longs: Number, enums: String, defaults: true, oneofs: true };

export interface ConfigSyncPackage {
  /** Client constructor; its `service` is the service definition for servers. */
  readonly ConfigSync: grpc.ServiceClientConstructor;
}

let cached: ConfigSyncPackage | undefined;

/** Loads `tollgate.v1.ConfigSync` once per process, for both planes. */
export function loadConfigSync(): ConfigSyncPackage {
  if (!cached) {
    const definition = protoLoader.loadSync(CONFIG_SYNC_PROTO, LOADER_OPTIONS);
    const loaded = grpc.loadPackageDefinition(definition) as unknown as { tollgate: { v1: ConfigSyncPackage } };
    cached = loaded.tollgate.v1;
  }
  return cached;
}
