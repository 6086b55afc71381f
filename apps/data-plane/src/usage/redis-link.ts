import { createRedisClient, isClusterAddress, USAGE_QUEUE, usageQueuePrefix } from '@tollgate/usage';
import { Queue } from 'bullmq';
import type { Cluster, Redis } from 'ioredis';

export interface RedisLinkOptions {
  readonly redisUrl: string;
  readonly redisKeyPrefix: string;
  readonly connectTimeoutMs: number;
  readonly commandTimeoutMs: number;
}

/**
 * One connection to Redis and the usage queue on it, made on demand and thrown away on the first
 * failure. ioredis reconnects on its own and BullMQ would wait for it; here nothing waits: a
 * failed send leaves the batch in the journal and the reporter decides when to try again.
 */
export class RedisLink {
  private constructor(
    private readonly redis: Redis | Cluster,
    readonly queue: Queue,
  ) {}

  static async connect(options: RedisLinkOptions): Promise<RedisLink> {
    const redis = createRedisClient(options.redisUrl, {
      lazyConnect: true,
      enableOfflineQueue: false,
      retryStrategy: () => null,
      maxRetriesPerRequest: 0,
      connectTimeout: options.connectTimeoutMs,
      commandTimeout: options.commandTimeoutMs,
      // After a refused connection ioredis keeps a timer this long to destroy a socket already gone.
      disconnectTimeout: 200,
    });
    // Failures surface through the rejected commands; an unhandled 'error' event would crash.
    redis.on('error', () => undefined);
    try {
      await redis.connect();
    } catch (err) {
      redis.disconnect();
      throw err;
    }
    const queue = new Queue(USAGE_QUEUE, { connection: redis, prefix: usageQueuePrefix(options.redisKeyPrefix, isClusterAddress(options.redisUrl)) });
    queue.on('error', () => undefined);
    return new RedisLink(redis, queue);
  }

  get usable(): boolean {
    return this.redis.status === 'ready';
  }

  async close(): Promise<void> {
    await this.queue.close().catch(() => undefined);
    // The queue was handed a shared connection, so closing it is ours to do.
    if (this.redis.status === 'ready') await this.redis.quit().catch(() => undefined);
    this.redis.disconnect();
  }
}
