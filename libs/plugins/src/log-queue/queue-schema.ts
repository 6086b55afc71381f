import type { FieldSchema } from '@tollgate/config';
import { record } from '../typedefs';

/** Kong's `queue` record (kong/tools/queue_schema.lua): times in seconds, as Kong has them. */
export interface QueueConfig {
  readonly max_batch_size: number;
  readonly max_coalescing_delay: number;
  readonly max_entries: number;
  readonly max_bytes: number | null;
  readonly max_retry_time: number;
  readonly initial_retry_delay: number;
  readonly max_retry_delay: number;
  readonly concurrency_limit: 1 | -1;
}

/** The queue record with Kong's defaults; `overrides` changes a default (opentelemetry's batch of 200). */
export function queueField(overrides: Partial<Record<keyof QueueConfig, number>> = {}): FieldSchema {
  const d = (name: keyof QueueConfig, value: number | undefined) => overrides[name] ?? value;
  return record('How log entries are batched and retried (Kong\'s queue parameters); one queue per distinct plugin config per worker.', {
    max_batch_size: { type: 'integer', default: d('max_batch_size', 1), between: [1, 1_000_000], description: 'Maximum number of entries sent at a time.' },
    max_coalescing_delay: {
      type: 'number',
      default: d('max_coalescing_delay', 1),
      between: [0, 3600],
      description: 'Maximum seconds after the first entry was queued before a partial batch is sent (no effect when max_batch_size is 1).',
    },
    max_entries: {
      type: 'integer',
      default: d('max_entries', 10_000),
      between: [1, 1_000_000],
      description: 'Maximum entries waiting on the queue; past it the oldest are dropped (and counted).',
    },
    max_bytes: { type: 'integer', nullable: true, gt: 0, description: 'Maximum bytes of entries waiting on the queue; past it the oldest are dropped.' },
    max_retry_time: {
      type: 'number',
      default: d('max_retry_time', 60),
      description: 'Seconds before the queue gives up sending a failed batch (-1: never retry).',
    },
    initial_retry_delay: {
      type: 'number',
      default: d('initial_retry_delay', 0.01),
      between: [0.001, 1_000_000],
      description: 'Seconds before the first retry of a failed batch; doubled for each later retry.',
    },
    max_retry_delay: {
      type: 'number',
      default: d('max_retry_delay', 60),
      between: [0.001, 1_000_000],
      description: 'Maximum seconds between retries (caps the doubling).',
    },
    concurrency_limit: {
      type: 'integer',
      default: d('concurrency_limit', 1),
      one_of: [-1, 1],
      description: 'Batches in flight at once: 1 (in order), or -1 (not waiting for the previous batch; at most 64 here).',
    },
  });
}

/**
 * The queue of log plugins whose Kong schema has no `queue` record (file-log, tcp-log): Kong's
 * default bounds and retries, with whatever has accumulated sent as one batch on the next tick.
 */
export const UNCONFIGURED_QUEUE: QueueConfig = Object.freeze({
  max_batch_size: 1000,
  max_coalescing_delay: 0,
  max_entries: 10_000,
  max_bytes: null,
  max_retry_time: 60,
  initial_retry_delay: 0.01,
  max_retry_delay: 60,
  concurrency_limit: 1,
});
