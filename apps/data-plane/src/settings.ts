import { availableParallelism, hostname } from 'node:os';
import { join } from 'node:path';

export interface ListenAddress {
  readonly host: string;
  readonly port: number;
}

/** The data plane's settings, read once from the environment (12-factor) and frozen. */
export interface DataPlaneSettings {
  /** Names this node in logs, in its prefix and to the control plane. */
  readonly nodeName: string;
  readonly proxyListen: ListenAddress;
  /** null when TOLLGATE_PROXY_SSL_LISTEN is `off`. */
  readonly proxySslListen: ListenAddress | null;
  /** null when TOLLGATE_STATUS_LISTEN is `off`. */
  readonly statusListen: ListenAddress | null;
  readonly region: string;
  /** Directory of the disk copy of the config and the usage journal. */
  readonly prefix: string;
  /** A Kong-format declarative file served at start (standalone, or before the first sync). */
  readonly declarativeConfig: string | null;
  /** node:cluster workers; 0 serves in the calling process (tests, in-process use). */
  readonly workers: number;
  readonly redisUrl: string;
  readonly controlPlane: ListenAddress;
  /** Prefix of every Redis key this node writes (rate-limiting counters). */
  readonly redisKeyPrefix: string;
  /** Largest request head accepted; larger ones are answered 431. */
  readonly maxHeaderSize: number;
  /** How long close() waits for in-flight requests before cutting them. */
  readonly drainTimeoutMs: number;
  readonly logLevel: string;
}

type Env = Readonly<Record<string, string | undefined>>;

export function parseListen(value: string, variable: string): ListenAddress {
  const match = /^(\[[^\]]+\]|[^:\s]+):(\d{1,5})$/.exec(value.trim());
  if (!match || Number(match[2]) > 65535) {
    throw new Error(`${variable}: expected host:port (for example 0.0.0.0:8000), got '${value}'`);
  }
  return Object.freeze({ host: match[1]!.replace(/^\[|\]$/g, ''), port: Number(match[2]) });
}

function optionalListen(env: Env, variable: string, fallback: string): ListenAddress | null {
  const value = env[variable] ?? fallback;
  return value.trim() === 'off' ? null : parseListen(value, variable);
}

function integer(env: Env, variable: string, fallback: number, min: number): number {
  const raw = env[variable];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw.trim()) || Number(raw) < min) {
    throw new Error(`${variable}: expected an integer of at least ${min}, got '${raw}'`);
  }
  return Number(raw);
}

function region(env: Env): string {
  const value = env.TOLLGATE_REGION ?? 'default';
  if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(value)) {
    throw new Error(`TOLLGATE_REGION: expected lower-case letters, digits and dashes, got '${value}'`);
  }
  return value;
}

function redisUrl(env: Env): string {
  const value = env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  if (!/^rediss?:\/\//.test(value)) throw new Error(`REDIS_URL: expected a redis:// or rediss:// URL, got '${value}'`);
  return value;
}

export function readDataPlaneSettings(env: Env = process.env): DataPlaneSettings {
  const nodeName = env.TOLLGATE_NODE_NAME ?? hostname();
  return Object.freeze({
    nodeName,
    proxyListen: parseListen(env.TOLLGATE_PROXY_LISTEN ?? '0.0.0.0:8000', 'TOLLGATE_PROXY_LISTEN'),
    proxySslListen: optionalListen(env, 'TOLLGATE_PROXY_SSL_LISTEN', '0.0.0.0:8443'),
    statusListen: optionalListen(env, 'TOLLGATE_STATUS_LISTEN', '127.0.0.1:8100'),
    region: region(env),
    prefix: env.TOLLGATE_PREFIX ?? join('.tollgate', nodeName),
    declarativeConfig: env.TOLLGATE_DECLARATIVE_CONFIG || null,
    workers: integer(env, 'TOLLGATE_WORKERS', availableParallelism(), 0),
    redisUrl: redisUrl(env),
    controlPlane: parseListen(env.TOLLGATE_CONTROL_PLANE ?? '127.0.0.1:8005', 'TOLLGATE_CONTROL_PLANE'),
    redisKeyPrefix: env.TOLLGATE_REDIS_KEY_PREFIX ?? 'tollgate:',
    maxHeaderSize: integer(env, 'TOLLGATE_MAX_HEADER_SIZE', 16 * 1024, 1024),
    drainTimeoutMs: integer(env, 'TOLLGATE_DRAIN_TIMEOUT', 30000, 0),
    logLevel: env.TOLLGATE_LOG_LEVEL ?? 'info',
  });
}
