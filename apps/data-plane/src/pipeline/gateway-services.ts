import { LogQueues, type PluginServices, type RedisConnection, type WindowCounterStore } from '@tollgate/plugins';
import { RedisCounterClients } from '../counters/redis-window-counters';
import type { Logger } from '../logger';

/** How often the same outage is logged while requests keep running into it. */
const WARN_INTERVAL_MS = 30_000;

/** What the data plane offers plugins: node-wide and Redis counters, throttled warnings. */
export class GatewayServices implements PluginServices {
  private readonly lastWarned = new Map<string, number>();
  readonly redis: RedisCounterClients;
  readonly logQueues: LogQueues;
  private readonly states = new Map<string, unknown>();

  constructor(
    readonly nodeCounters: WindowCounterStore,
    readonly redisKeyPrefix: string,
    private readonly logger: Logger,
    /** The deployment's Redis (REDIS_URL or a cluster / sentinel address): see RedisCounterClients. */
    deploymentRedis = '',
  ) {
    this.redis = new RedisCounterClients(redisKeyPrefix, (error) => this.warnThrottled('redis', 'redis connection error', error), deploymentRedis);
    this.logQueues = new LogQueues((queue, error, entries, givenUp) =>
      this.warnThrottled(`log-queue:${queue}`, givenUp ? `log queue ${queue}: ${entries} entries dropped after retries` : `log queue ${queue}: send failed, retrying`, error),
    );
  }

  processState<T>(name: string, create: () => T): T {
    let state = this.states.get(name) as T | undefined;
    if (state === undefined) this.states.set(name, (state = create()));
    return state;
  }

  /** A plugin's process state if it made one (read by the stats, never created there). */
  peekState(name: string): unknown {
    return this.states.get(name);
  }

  redisCounters(connection: RedisConnection): WindowCounterStore {
    return this.redis.storeFor(connection);
  }

  warnThrottled(topic: string, message: string, error?: unknown): void {
    const now = Date.now();
    const last = this.lastWarned.get(topic);
    if (last !== undefined && now - last < WARN_INTERVAL_MS) return;
    this.lastWarned.set(topic, now);
    this.logger.warn({ topic, err: error }, message);
  }
}
