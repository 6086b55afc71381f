import Redis, { Cluster, type ClusterOptions, type RedisOptions } from 'ioredis';

/**
 * Where a deployment's Redis is, as one string both planes pass around where a REDIS_URL went:
 * a `redis://` / `rediss://` URL (one server), `redis-cluster://host:port,host:port` (Redis
 * Cluster seed nodes, TOLLGATE_REDIS_CLUSTER) or `redis-sentinel://host:port,host:port/master`
 * (Sentinel, TOLLGATE_REDIS_SENTINELS and TOLLGATE_REDIS_SENTINEL_MASTER).
 */
export interface RedisNode {
  readonly host: string;
  readonly port: number;
}
export type RedisAddress =
  | { readonly kind: 'server'; readonly url: string }
  | { readonly kind: 'cluster'; readonly nodes: readonly RedisNode[] }
  | { readonly kind: 'sentinel'; readonly sentinels: readonly RedisNode[]; readonly master: string };

const CLUSTER = 'redis-cluster://';
const SENTINEL = 'redis-sentinel://';

function parseNodes(list: string, variable: string): RedisNode[] {
  const nodes = list.split(',').map((entry) => entry.trim());
  return nodes.map((entry) => {
    const m = /^(\[[0-9a-f:]+\]|[^\s:,/[\]]+):(\d{1,5})$/i.exec(entry);
    if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) throw new Error(`${variable}: expected host:port[,host:port...], got '${list}' ('${entry}' is not host:port)`);
    return { host: m[1].replace(/^\[|\]$/g, ''), port: Number(m[2]) };
  });
}

export function parseRedisAddress(address: string): RedisAddress {
  if (address.startsWith(CLUSTER)) return { kind: 'cluster', nodes: parseNodes(address.slice(CLUSTER.length), 'TOLLGATE_REDIS_CLUSTER') };
  if (address.startsWith(SENTINEL)) {
    const [list, master] = address.slice(SENTINEL.length).split('/', 2) as [string, string | undefined];
    return { kind: 'sentinel', sentinels: parseNodes(list, 'TOLLGATE_REDIS_SENTINELS'), master: master || 'mymaster' };
  }
  if (!/^rediss?:\/\//.test(address)) throw new Error(`REDIS_URL: expected a redis:// or rediss:// URL, got '${address}'`);
  return { kind: 'server', url: address };
}

/**
 * The deployment's Redis from its environment. TOLLGATE_REDIS_CLUSTER (seed nodes) comes first,
 * then TOLLGATE_REDIS_SENTINELS, then REDIS_URL: a chart or compose file may set REDIS_URL as
 * well, and the more specific setting is the one an operator means.
 */
export function redisAddressFromEnv(env: NodeJS.ProcessEnv): string {
  const cluster = env.TOLLGATE_REDIS_CLUSTER?.trim();
  if (cluster) return `${CLUSTER}${parseNodes(cluster, 'TOLLGATE_REDIS_CLUSTER').map(formatNode).join(',')}`;
  const sentinels = env.TOLLGATE_REDIS_SENTINELS?.trim();
  if (sentinels) {
    const master = env.TOLLGATE_REDIS_SENTINEL_MASTER?.trim() || 'mymaster';
    if (!/^[\w.-]+$/.test(master)) throw new Error(`TOLLGATE_REDIS_SENTINEL_MASTER: expected a master name (letters, digits, '.', '-', '_'), got '${master}'`);
    return `${SENTINEL}${parseNodes(sentinels, 'TOLLGATE_REDIS_SENTINELS').map(formatNode).join(',')}/${master}`;
  }
  const url = env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  parseRedisAddress(url);
  return url;
}

function formatNode(node: RedisNode): string {
  return node.host.includes(':') ? `[${node.host}]:${node.port}` : `${node.host}:${node.port}`;
}

/**
 * A client for the address. `options` are one server connection's; for a cluster they apply to
 * each node's connection, and `retryStrategy` becomes the cluster's own reconnect strategy.
 */
export function createRedisClient(address: string, options: RedisOptions): Redis | Cluster {
  const target = parseRedisAddress(address);
  if (target.kind === 'server') return new Redis(target.url, options);
  if (target.kind === 'sentinel') return new Redis({ ...options, sentinels: [...target.sentinels], name: target.master });
  const { lazyConnect, enableOfflineQueue, retryStrategy, ...redisOptions } = options;
  const clusterOptions: ClusterOptions = { lazyConnect, enableOfflineQueue, redisOptions, clusterRetryStrategy: retryStrategy ? (times) => retryStrategy(times) : undefined };
  return new Cluster([...target.nodes], clusterOptions);
}

/** Whether keys must share a hash slot to be used together (multi-key commands, BullMQ's scripts). */
export function isClusterAddress(address: string): boolean {
  return address.startsWith(CLUSTER);
}

/**
 * A rate-limiting config's `redis.host`/`redis.port` naming one of the deployment's cluster seed
 * nodes or sentinels means that cluster or sentinel set, not the single server it names.
 */
export function deploymentRedisFor(address: string, host: string | null, port: number): boolean {
  const target = parseRedisAddress(address);
  if (target.kind === 'server') return false;
  const nodes = target.kind === 'cluster' ? target.nodes : target.sentinels;
  return nodes.some((node) => node.host === (host ?? '127.0.0.1') && node.port === port);
}

/**
 * BullMQ's `connection` for the address: options for one server or Sentinel (BullMQ makes and
 * closes its connections), a Cluster client for a cluster (BullMQ cannot make one from options),
 * which `close` ends once the queue or worker using it has closed.
 */
export function bullmqConnection(address: string, options: RedisOptions): { connection: RedisOptions | Cluster; close(): Promise<void> } {
  const target = parseRedisAddress(address);
  if (target.kind === 'server') return { connection: { ...options, url: target.url } as RedisOptions, close: async () => undefined };
  if (target.kind === 'sentinel') return { connection: { ...options, sentinels: [...target.sentinels], name: target.master }, close: async () => undefined };
  // BullMQ's blocking connections must retry forever (maxRetriesPerRequest null), as it sets itself for options.
  const cluster = createRedisClient(address, { maxRetriesPerRequest: null, ...options }) as Cluster;
  cluster.on('error', () => undefined);
  return {
    connection: cluster,
    close: async () => {
      await cluster.quit().catch(() => cluster.disconnect());
    },
  };
}
