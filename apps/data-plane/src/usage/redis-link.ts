import { createRedisClient, isClusterAddress, parseRedisAddress, USAGE_JOB, USAGE_JOB_OPTIONS, USAGE_QUEUE, usageQueuePrefix, type UsageBatch } from '@tollgate/usage';
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
    /** Replicas that must have a batch before it counts as sent (Sentinel: 1). */
    private readonly replicas: number,
    private readonly replicaTimeoutMs: number,
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
    // Under Sentinel a failover promotes a replica: a batch the old master took but had not yet
    // replicated would be lost with it, so a batch is sent once a replica has it too.
    const replicas = parseRedisAddress(options.redisUrl).kind === 'sentinel' ? 1 : 0;
    // WAIT's own timeout stays well inside the command timeout, so it answers rather than being cut.
    return new RedisLink(redis, queue, replicas, Math.max(1, Math.min(1000, Math.floor(options.commandTimeoutMs / 2))));
  }

  /** Adds the batch as its job (an id already queued is not added twice); rejects if not kept. */
  async add(batch: UsageBatch): Promise<void> {
    await this.queue.add(USAGE_JOB, batch, { ...USAGE_JOB_OPTIONS, jobId: batch.id });
    if (this.replicas === 0) return;
    const redis = this.redis as Redis;
    if ((await redis.wait(this.replicas, this.replicaTimeoutMs)) >= this.replicas) return;
    // A master with no replica connected (right after a failover) has nothing a failover could promote.
    if (/^connected_slaves:0\r?$/m.test(await redis.info('replication'))) return;
    throw new Error(`usage batch ${batch.id} not yet on a replica (WAIT timed out after ${this.replicaTimeoutMs} ms)`);
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
