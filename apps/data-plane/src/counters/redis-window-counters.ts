import type { CounterWindow, RedisConnection, WindowCounterStore, WindowCounts } from '@tollgate/plugins';
import { createRedisClient, deploymentRedisFor, isClusterAddress } from '@tollgate/usage';
import Redis, { type Cluster } from 'ioredis';

const SLOTS = 6;

class RedisUnavailableError extends Error {}
const UNAVAILABLE = new RedisUnavailableError('redis is unreachable (reconnecting)');

/**
 * Counters shared by every data plane using one Redis: INCR then PEXPIRE per window, in one
 * pipeline (one round trip per request), keyed like Kong's
 * `ratelimit:<route>:<service>:<identifier>:<window start>:<period>` under the node's prefix.
 */
class RedisWindowCounters implements WindowCounterStore {
  constructor(
    private readonly client: Redis | Cluster,
    private readonly prefix: string,
    /** On Redis Cluster a request's windows share one slot (one pipeline, one node): `{key}`. */
    private readonly hashTagged = false,
  ) {}

  increment(key: string, windows: readonly CounterWindow[], amount = 1): Promise<WindowCounts> {
    // While reconnecting, fail at once instead of queueing behind a dead connection.
    const status = this.client.status;
    if (status === 'reconnecting' || status === 'end' || status === 'close') return Promise.reject(UNAVAILABLE);
    const pipeline = this.client.pipeline();
    const tagged = this.hashTagged ? `{${key}}` : key;
    for (const w of windows) {
      const redisKey = `${this.prefix}ratelimit:${tagged}:${w.start}:${w.name}`;
      if (amount === 1) pipeline.incr(redisKey);
      else pipeline.incrby(redisKey, amount);
      pipeline.pexpire(redisKey, w.ttlMs);
    }
    return pipeline.exec().then((results) => {
      const counts = new Array<number>(SLOTS).fill(0);
      windows.forEach((w, i) => {
        const [error, count] = results![i * 2]!;
        if (error) throw error;
        counts[w.slot] = count as number;
      });
      return counts;
    });
  }
}

function connectionKey(c: RedisConnection): string {
  return `${c.host}:${c.port}/${c.database}/${c.username ?? ''}/${c.ssl ? 'tls' : ''}/${c.timeout}`;
}

/**
 * One ioredis client per distinct connection among the configs' plugins, kept across config
 * swaps; each plugin config's store is found through a WeakMap on its `redis` record, so the
 * request path builds no key string.
 */
export class RedisCounterClients {
  private readonly clients = new Map<string, Redis | Cluster>();
  private readonly stores = new WeakMap<RedisConnection, WindowCounterStore>();

  /**
   * `deploymentRedis`: the node's own Redis address. A config naming one of its cluster seed
   * nodes or sentinels is served by a client of that cluster or sentinel set.
   */
  constructor(
    private readonly prefix: string,
    private readonly onError: (error: Error) => void,
    private readonly deploymentRedis = '',
  ) {}

  storeFor(connection: RedisConnection): WindowCounterStore {
    let store = this.stores.get(connection);
    if (store === undefined) {
      const deployment = this.deploymentRedis !== '' && deploymentRedisFor(this.deploymentRedis, connection.host, connection.port);
      const client = deployment ? this.deploymentClient(connection) : this.client(connection);
      store = new RedisWindowCounters(client, this.prefix, deployment && isClusterAddress(this.deploymentRedis));
      this.stores.set(connection, store);
    }
    return store;
  }

  private deploymentClient(c: RedisConnection): Redis | Cluster {
    const key = `deployment/${c.timeout}`;
    let client = this.clients.get(key);
    if (client === undefined) {
      client = createRedisClient(this.deploymentRedis, {
        username: c.username ?? undefined,
        password: c.password ?? undefined,
        connectTimeout: c.timeout,
        commandTimeout: c.timeout,
        disconnectTimeout: Math.min(c.timeout, 1000),
        maxRetriesPerRequest: 0,
        retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
      });
      client.on('error', this.onError);
      this.clients.set(key, client);
    }
    return client;
  }

  private client(c: RedisConnection): Redis | Cluster {
    const key = connectionKey(c);
    let client = this.clients.get(key);
    if (client === undefined) {
      client = new Redis({
        host: c.host ?? '127.0.0.1',
        port: c.port,
        username: c.username ?? undefined,
        password: c.password ?? undefined,
        db: c.database,
        tls: c.ssl ? { rejectUnauthorized: c.ssl_verify, servername: c.server_name ?? undefined } : undefined,
        connectTimeout: c.timeout,
        commandTimeout: c.timeout,
        // At shutdown, a socket still connecting is cut after this rather than holding the process.
        disconnectTimeout: Math.min(c.timeout, 1000),
        // A request never waits for a reconnection: commands fail and fault_tolerant decides.
        maxRetriesPerRequest: 0,
        retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
      });
      client.on('error', this.onError);
      this.clients.set(key, client);
    }
    return client;
  }

  async close(): Promise<void> {
    const clients = [...this.clients.values()];
    this.clients.clear();
    // quit() lets queued commands finish; a client that is not connected just stops reconnecting.
    await Promise.all(clients.map((client) => (client.status === 'ready' ? client.quit().catch(() => client.disconnect()) : client.disconnect())));
  }
}
