import type { CounterWindow, RedisConnection, WindowCounterStore, WindowCounts } from '@tollgate/plugins';
import Redis from 'ioredis';

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
    private readonly client: Redis,
    private readonly prefix: string,
  ) {}

  increment(key: string, windows: readonly CounterWindow[], amount = 1): Promise<WindowCounts> {
    // While reconnecting, fail at once instead of queueing behind a dead connection.
    const status = this.client.status;
    if (status === 'reconnecting' || status === 'end' || status === 'close') return Promise.reject(UNAVAILABLE);
    const pipeline = this.client.pipeline();
    for (const w of windows) {
      const redisKey = `${this.prefix}ratelimit:${key}:${w.start}:${w.name}`;
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
  private readonly clients = new Map<string, Redis>();
  private readonly stores = new WeakMap<RedisConnection, WindowCounterStore>();

  constructor(
    private readonly prefix: string,
    private readonly onError: (error: Error) => void,
  ) {}

  storeFor(connection: RedisConnection): WindowCounterStore {
    let store = this.stores.get(connection);
    if (store === undefined) {
      store = new RedisWindowCounters(this.client(connection), this.prefix);
      this.stores.set(connection, store);
    }
    return store;
  }

  private client(c: RedisConnection): Redis {
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
