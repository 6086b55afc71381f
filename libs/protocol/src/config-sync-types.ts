/** TypeScript shapes of proto/tollgate/v1/config_sync.proto as @grpc/proto-loader decodes them. */

export interface Hello {
  node_id: string;
  hostname: string;
  region: string;
  labels: Record<string, string>;
  version: string;
  plugins: string[];
  config_version: number;
  config_hash: string;
}

export interface Ack {
  version: number;
  hash: string;
}

export interface EntityError {
  entity: string;
  id: string;
  field: string;
  message: string;
}

export interface Nack {
  version: number;
  errors: EntityError[];
}

export interface Heartbeat {
  config_version: number;
  config_hash: string;
  stats?: { requests: number; active_connections: number; rss_bytes: number };
}

export type DataPlaneMessage =
  | { message: 'hello'; hello: Hello }
  | { message: 'ack'; ack: Ack }
  | { message: 'nack'; nack: Nack }
  | { message: 'heartbeat'; heartbeat: Heartbeat };

export interface SnapshotChunk {
  version: number;
  hash: string;
  index: number;
  count: number;
  data: Buffer;
}

export interface EntityUpsert {
  entity: string;
  id: string;
  json: Buffer;
}

export interface EntityRef {
  entity: string;
  id: string;
}

export interface Delta {
  from_version: number;
  to_version: number;
  hash: string;
  upserts: EntityUpsert[];
  deletes: EntityRef[];
}

export interface Keepalive {
  latest_version: number;
}

export interface SyncStatus {
  status: string;
  message: string;
  missing_plugins: string[];
}

export interface PluginMessage {
  plugin: string;
  json: Buffer;
}

export type ControlPlaneMessage =
  | { message: 'snapshot'; snapshot: SnapshotChunk }
  | { message: 'delta'; delta: Delta }
  | { message: 'keepalive'; keepalive: Keepalive }
  | { message: 'status'; status: SyncStatus }
  | { message: 'plugin_message'; plugin_message: PluginMessage };
