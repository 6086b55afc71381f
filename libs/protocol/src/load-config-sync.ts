import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

const PROTO_FILE = join('proto', 'tollgate', 'v1', 'config_sync.proto');

/**
 * The nearest `proto/` above this module: the repository's when running from source, the copy
 * the build puts beside each app's main.js in dist (where this module sits at another depth).
 */
function findProto(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, PROTO_FILE);
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) throw new Error(`${PROTO_FILE} not found in ${from} or any directory above it`);
  }
}

export const CONFIG_SYNC_PROTO = findProto(__dirname);

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
