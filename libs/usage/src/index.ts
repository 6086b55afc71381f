export { LATENCY_RELATIVE_ACCURACY, LatencyHistogram, HistogramDecodeError } from './latency-histogram';
export {
  MINUTE_MS,
  USAGE_BATCH_FORMAT,
  isErrorStatus,
  isUsageIdPart,
  statusClass,
  usageBatchId,
  type UsageBatch,
  type UsageRow,
} from './usage-batch';
export { parseUsageBatch, UsageBatchError, type DecodedUsageBatch, type DecodedUsageRow } from './parse-usage-batch';
export { USAGE_JOB, USAGE_JOB_ATTEMPTS, USAGE_JOB_OPTIONS, USAGE_QUEUE, usageQueuePrefix, usageRetryDelay } from './usage-queue';
export { bullmqConnection, createRedisClient, deploymentRedisFor, isClusterAddress, parseRedisAddress, redisAddressFromEnv, type RedisAddress, type RedisNode } from './redis-address';
