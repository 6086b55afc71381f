import { redisAddressFromEnv } from '@tollgate/usage';
import { parseClusterTlsMode, type ClusterTlsFiles } from '@tollgate/protocol';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { parseAdminHosts, parseAllowedOrigins } from './admin/host-origin-policy';
import { TOKEN_PATTERN } from './access/admin-tokens/token-secret';

/** The control plane's settings, read once from the environment (12-factor) and frozen. */
export interface ControlPlaneSettings {
  readonly databaseUrl: string;
  /** DATABASE_READ_URL: a read-only replica for analytics reads; none: the primary. */
  readonly databaseReadUrl?: string | null;
  /** Postgres schema holding Tollgate's tables; tests give each suite its own. */
  readonly databaseSchema: string;
  readonly adminHost: string;
  readonly adminPort: number;
  /** Names the admin API answers besides loopback names and its listen address (TOLLGATE_ADMIN_HOSTS). */
  readonly adminHosts?: readonly string[];
  /** Origins of pages allowed to write besides the admin API's own (TOLLGATE_ADMIN_ALLOW_ORIGINS). */
  readonly adminAllowOrigins?: readonly string[];
  /** TOLLGATE_ADMIN_BOOTSTRAP_TOKEN: the admin token created at start when none exists yet. */
  readonly adminBootstrapToken: string | null;
  readonly clusterHost: string;
  readonly clusterPort: number;
  readonly clusterTls: ClusterTlsFiles;
  /** Config versions kept in the change log for deltas; older data planes get a snapshot. */
  readonly retainedVersions: number;
  /** Where development cluster certificates are generated when none are configured. */
  readonly devCertificateDir: string;
  readonly logLevel: string;
  /** BullMQ's Redis, where data planes send usage batches. */
  readonly redisUrl: string;
  /** Prefix of every Redis key (the usage queue lives under it); tests give each suite its own. */
  readonly redisKeyPrefix: string;
  /** Usage batches this replica applies at once; 0 runs no usage worker here. */
  readonly usageWorkerConcurrency: number;
  /**
   * How long a usage batch taken by a worker stays locked to it without being renewed: a replica
   * killed mid-batch leaves its batch to others (or to itself restarted) after at most about twice this.
   */
  readonly usageLockMs: number;
  /**
   * How often this replica rolls closed minutes into the hour and day usage rollups; 0 rolls none
   * here (hour and day analytics stay exact, but some replica must roll, or minute rows pile up).
   */
  readonly usageRollIntervalMs: number;
  /** How long per-minute usage rollups are kept (hour and day rollups are kept). */
  readonly usageMinuteRetentionMs: number;
  /** How long applied usage batch ids are kept to refuse redeliveries. */
  readonly usageBatchIdRetentionMs: number;
}

export function parseListen(value: string, variable: string): { host: string; port: number } {
  const match = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(value.trim());
  if (!match || Number(match[2]) > 65535) {
    throw new Error(`${variable}: expected host:port (for example 127.0.0.1:8001), got '${value}'`);
  }
  return { host: match[1]!.replace(/^\[|\]$/g, ''), port: Number(match[2]) };
}

export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}

function positiveInteger(value: string, variable: string): number {
  if (!/^[1-9]\d{0,9}$/.test(value)) throw new Error(`${variable}: expected a positive integer, got '${value}'`);
  return Number(value);
}

function boundedInteger(value: string, variable: string, min: number, max: number): number {
  const n = /^\d{1,10}$/.test(value) ? Number(value) : NaN;
  if (!(n >= min && n <= max)) throw new Error(`${variable}: expected an integer from ${min} to ${max}, got '${value}'`);
  return n;
}

function redisUrl(value: string): string {
  if (!/^rediss?:\/\//.test(value)) throw new Error(`REDIS_URL: expected a redis:// or rediss:// URL, got '${value}'`);
  return value;
}

const HOUR_MS = 3_600_000;

export const DEV_CERTIFICATE_DIR = join('.tollgate', 'cluster');

function databaseReadUrl(value: string | undefined): string | null {
  if (value === undefined || value.trim() === '') return null;
  if (!/^postgres(ql)?:\/\//.test(value)) throw new Error(`DATABASE_READ_URL: expected a postgres:// URL, got '${value}'`);
  return value;
}

export function readControlPlaneSettings(env: NodeJS.ProcessEnv = process.env): ControlPlaneSettings {
  const admin = parseListen(env.TOLLGATE_ADMIN_LISTEN ?? '127.0.0.1:8001', 'TOLLGATE_ADMIN_LISTEN');
  const cluster = parseListen(env.TOLLGATE_CLUSTER_LISTEN ?? '0.0.0.0:8005', 'TOLLGATE_CLUSTER_LISTEN');
  const schema = env.TOLLGATE_DATABASE_SCHEMA ?? 'public';
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new Error(`TOLLGATE_DATABASE_SCHEMA: expected a lower-case SQL identifier, got '${schema}'`);
  }
  const bootstrap = env.TOLLGATE_ADMIN_BOOTSTRAP_TOKEN || null;
  // Off loopback the start refuses to serve until an admin token exists (see startControlPlane).
  if (bootstrap !== null && !TOKEN_PATTERN.test(bootstrap)) {
    throw new Error('TOLLGATE_ADMIN_BOOTSTRAP_TOKEN: expected tgk_ and 43 base64url characters (32 random bytes), for example from `openssl rand 32 | basenc --base64url`');
  }
  return Object.freeze({
    databaseUrl: env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/tollgate',
    databaseReadUrl: databaseReadUrl(env.DATABASE_READ_URL),
    databaseSchema: schema,
    adminHost: admin.host,
    adminPort: admin.port,
    adminHosts: Object.freeze(parseAdminHosts(env.TOLLGATE_ADMIN_HOSTS)),
    adminAllowOrigins: Object.freeze(parseAllowedOrigins(env.TOLLGATE_ADMIN_ALLOW_ORIGINS)),
    adminBootstrapToken: bootstrap,
    clusterHost: cluster.host,
    clusterPort: cluster.port,
    clusterTls: {
      mode: parseClusterTlsMode(env.TOLLGATE_CLUSTER_MTLS),
      certFile: env.TOLLGATE_CLUSTER_CERT,
      keyFile: env.TOLLGATE_CLUSTER_CERT_KEY,
      caFile: env.TOLLGATE_CLUSTER_CA_CERT,
    },
    retainedVersions: positiveInteger(env.TOLLGATE_CHANGE_LOG_VERSIONS ?? '10000', 'TOLLGATE_CHANGE_LOG_VERSIONS'),
    devCertificateDir: env.TOLLGATE_DEV_CERT_DIR ?? DEV_CERTIFICATE_DIR,
    logLevel: env.TOLLGATE_LOG_LEVEL ?? 'info',
    // REDIS_URL, or the Redis Cluster / Sentinel address made from TOLLGATE_REDIS_CLUSTER / _SENTINELS.
    redisUrl: env.TOLLGATE_REDIS_CLUSTER?.trim() || env.TOLLGATE_REDIS_SENTINELS?.trim() ? redisAddressFromEnv(env) : redisUrl(env.REDIS_URL ?? 'redis://127.0.0.1:6379'),
    redisKeyPrefix: env.TOLLGATE_REDIS_KEY_PREFIX ?? 'tollgate:',
    usageWorkerConcurrency: boundedInteger(env.TOLLGATE_USAGE_WORKER_CONCURRENCY ?? '4', 'TOLLGATE_USAGE_WORKER_CONCURRENCY', 0, 64),
    usageLockMs: boundedInteger(env.TOLLGATE_USAGE_LOCK_DURATION ?? '30', 'TOLLGATE_USAGE_LOCK_DURATION', 1, 600) * 1000,
    usageRollIntervalMs: boundedInteger(env.TOLLGATE_USAGE_ROLL_INTERVAL ?? '5', 'TOLLGATE_USAGE_ROLL_INTERVAL', 0, 3600) * 1000,
    usageMinuteRetentionMs:
      boundedInteger(env.TOLLGATE_USAGE_MINUTE_RETENTION_HOURS ?? '48', 'TOLLGATE_USAGE_MINUTE_RETENTION_HOURS', 1, 24 * 366) * HOUR_MS,
    usageBatchIdRetentionMs:
      boundedInteger(env.TOLLGATE_USAGE_BATCH_ID_RETENTION_DAYS ?? '35', 'TOLLGATE_USAGE_BATCH_ID_RETENTION_DAYS', 1, 3660) * 24 * HOUR_MS,
  });
}
