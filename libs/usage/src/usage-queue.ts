/**
 * The BullMQ queue between the planes. Both sides import these, so a renamed queue or job
 * cannot leave one side talking to nobody.
 */
export const USAGE_QUEUE = 'usage-batches';
export const USAGE_JOB = 'usage-batch';

/** Retries back off up to a minute; with this many attempts a batch survives about a day of a failing database. */
export const USAGE_RETRY_CAP_MS = 60_000;
export const USAGE_JOB_ATTEMPTS = 1500;

/** Producer-side job options. The worker's matching backoff is `usageRetryDelay`. */
export const USAGE_JOB_OPTIONS = Object.freeze({
  attempts: USAGE_JOB_ATTEMPTS,
  backoff: { type: 'usage' },
  // Applied batches are deduplicated in Postgres by id; keeping a few completed jobs only helps
  // BullMQ refuse an immediate re-add of the same job id.
  removeOnComplete: { count: 1000 },
  // Failed jobs are kept for an operator to inspect and retry: they are unbilled usage.
  removeOnFail: false,
});

/** Exponential backoff from half a second, capped at a minute. */
export function usageRetryDelay(attemptsMade: number): number {
  return Math.min(USAGE_RETRY_CAP_MS, 500 * 2 ** Math.max(0, attemptsMade - 1));
}

/**
 * BullMQ's `prefix` for a deployment's Redis key prefix (`tollgate:` → `tollgate`), so usage
 * jobs live beside the rate-limiting counters (`tollgate:ratelimit:...`) under one prefix.
 */
export function usageQueuePrefix(redisKeyPrefix: string, clustered = false): string {
  const trimmed = redisKeyPrefix.replace(/:+$/, '') || 'tollgate';
  // On Redis Cluster every key of a queue must hash to one slot (BullMQ's scripts touch several
  // at once): a hash tag, unless the prefix already carries one.
  return clustered && !/\{[^}]+\}/.test(trimmed) ? `{${trimmed}}` : trimmed;
}
