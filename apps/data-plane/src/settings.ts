import { redisAddressFromEnv } from '@tollgate/usage';
import { parseClusterTlsMode, type ClusterTlsFiles } from '@tollgate/protocol';
import { availableParallelism, hostname } from 'node:os';
import { join } from 'node:path';
import { readEdgeSettings, type EdgeSettings } from './proxy/edge-settings';
import { readHeaderPolicy, type HeaderPolicy } from './proxy/header-policy';
import { readTrustedProxies } from './proxy/trusted-proxies';
import { readUsageSettings, type UsageSettings } from './usage/usage-settings';

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
  /** The control plane's cluster address; null when TOLLGATE_CONTROL_PLANE is `off` or empty (standalone). */
  readonly controlPlane: ListenAddress | null;
  readonly clusterTls: ClusterTlsFiles;
  /** Free-form labels reported to the control plane (`TOLLGATE_LABELS=zone=a,tier=edge`). */
  readonly labels: Readonly<Record<string, string>>;
  /** Prefix of every Redis key this node writes (rate-limiting counters, the usage queue): the control plane's. */
  readonly redisKeyPrefix: string;
  /** TOLLGATE_PLAN_COUNTERS: `node` (default) counts plan quotas and rate limits per node, `redis` in the region's Redis (REDIS_URL). */
  readonly planCounters: 'node' | 'redis';
  /** Metering (TOLLGATE_USAGE, TOLLGATE_USAGE_FLUSH_INTERVAL, TOLLGATE_USAGE_JOURNAL_MAX_BYTES). */
  readonly usage: UsageSettings;
  /** Client timeouts, connection caps and buffering bounds (TOLLGATE_CLIENT_*, *_CONNECTIONS, TOLLGATE_PROXY_BUFFER_SIZE). */
  readonly edge: EdgeSettings;
  /** Largest request head accepted; larger ones are answered 431. */
  readonly maxHeaderSize: number;
  /** How long close() waits for in-flight requests before cutting them. */
  readonly drainTimeoutMs: number;
  readonly logLevel: string;
  /**
   * Kong's `headers`, `headers_upstream`, `trusted_ips`, `real_ip_header`, `real_ip_recursive`
   * (TOLLGATE_HEADERS, TOLLGATE_HEADERS_UPSTREAM, TOLLGATE_TRUSTED_IPS, TOLLGATE_REAL_IP_HEADER,
   * TOLLGATE_REAL_IP_RECURSIVE).
   */
  readonly headers: HeaderPolicy;
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

function planCounters(env: Env): 'node' | 'redis' {
  const value = env.TOLLGATE_PLAN_COUNTERS ?? 'node';
  if (value !== 'node' && value !== 'redis') throw new Error(`TOLLGATE_PLAN_COUNTERS: expected node or redis, got '${value}'`);
  return value;
}

function redisUrl(env: Env): string {
  const value = env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  if (!/^rediss?:\/\//.test(value)) throw new Error(`REDIS_URL: expected a redis:// or rediss:// URL, got '${value}'`);
  return value;
}

function controlPlane(env: Env): ListenAddress | null {
  const value = (env.TOLLGATE_CONTROL_PLANE ?? '127.0.0.1:8005').trim();
  return value === '' || value === 'off' ? null : parseListen(value, 'TOLLGATE_CONTROL_PLANE');
}

/** The cluster certificate; in `shared` mode with none set, the control plane's development one. */
function clusterTls(env: Env): ClusterTlsFiles {
  const mode = parseClusterTlsMode(env.TOLLGATE_CLUSTER_MTLS);
  const devDir = env.TOLLGATE_DEV_CERT_DIR ?? join('.tollgate', 'cluster');
  const devDefaults = mode === 'shared' && !env.TOLLGATE_CLUSTER_CERT && !env.TOLLGATE_CLUSTER_CERT_KEY;
  return Object.freeze({
    mode,
    certFile: devDefaults ? join(devDir, 'cluster.crt') : env.TOLLGATE_CLUSTER_CERT,
    keyFile: devDefaults ? join(devDir, 'cluster.key') : env.TOLLGATE_CLUSTER_CERT_KEY,
    caFile: env.TOLLGATE_CLUSTER_CA_CERT,
  });
}

function labels(env: Env): Readonly<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const pair of (env.TOLLGATE_LABELS ?? '').split(',')) {
    if (pair.trim() === '') continue;
    const match = /^\s*([A-Za-z0-9_.-]+)=(.*)$/.exec(pair);
    if (!match) throw new Error(`TOLLGATE_LABELS: expected key=value pairs separated by commas, got '${pair}'`);
    out[match[1]!] = match[2]!.trim();
  }
  return Object.freeze(out);
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
    // REDIS_URL, or the Redis Cluster / Sentinel address made from TOLLGATE_REDIS_CLUSTER / _SENTINELS.
    redisUrl: env.TOLLGATE_REDIS_CLUSTER?.trim() || env.TOLLGATE_REDIS_SENTINELS?.trim() ? redisAddressFromEnv(env) : redisUrl(env),
    controlPlane: controlPlane(env),
    clusterTls: clusterTls(env),
    labels: labels(env),
    redisKeyPrefix: env.TOLLGATE_REDIS_KEY_PREFIX ?? 'tollgate:',
    planCounters: planCounters(env),
    usage: readUsageSettings(env),
    edge: readEdgeSettings(env),
    maxHeaderSize: integer(env, 'TOLLGATE_MAX_HEADER_SIZE', 16 * 1024, 1024),
    drainTimeoutMs: integer(env, 'TOLLGATE_DRAIN_TIMEOUT', 30000, 0),
    logLevel: env.TOLLGATE_LOG_LEVEL ?? 'info',
    headers: readHeaderPolicy(
      env.TOLLGATE_HEADERS,
      env.TOLLGATE_HEADERS_UPSTREAM,
      readTrustedProxies(env.TOLLGATE_TRUSTED_IPS, env.TOLLGATE_REAL_IP_HEADER, env.TOLLGATE_REAL_IP_RECURSIVE),
    ),
  });
}
