/**
 * What a data plane reports: per (minute, service, route, consumer, status), how many calls,
 * how many bytes, and how long they took. One batch per flush interval, one BullMQ job per batch.
 */
export const USAGE_BATCH_FORMAT = 1;
export const MINUTE_MS = 60_000;

export interface UsageRow {
  /** Start of the minute the calls ended in, epoch milliseconds (a multiple of 60,000). */
  readonly minute: number;
  /** null: the call matched no route (or its route has no service). */
  readonly service_id: string | null;
  readonly route_id: string | null;
  /** null: no consumer was identified. */
  readonly consumer_id: string | null;
  /** HTTP status sent to the client; 0 when the client went away before one was sent. */
  readonly status: number;
  readonly count: number;
  readonly bytes_in: number;
  readonly bytes_out: number;
  /** `LatencyHistogram` base64: time spent in the gateway (total minus upstream), ms. */
  readonly gateway_latency: string;
  /** `LatencyHistogram` base64: upstream time, ms; holds fewer than `count` values when some calls never went upstream. */
  readonly upstream_latency: string;
}

export interface UsageBatch {
  readonly format: typeof USAGE_BATCH_FORMAT;
  /** `node_id:boot_id:seq`, also the BullMQ job id: a batch sent twice is applied once. */
  readonly id: string;
  readonly node_id: string;
  readonly boot_id: string;
  readonly seq: number;
  readonly region: string;
  /** When the data plane closed the batch, epoch ms: ingestion lag is measured from here. */
  readonly flushed_at: number;
  readonly rows: readonly UsageRow[];
}

export function usageBatchId(nodeId: string, bootId: string, seq: number): string {
  return `${nodeId}:${bootId}:${seq}`;
}

/** Node ids and boot ids become parts of a colon-separated job id, so they may not hold a colon. */
export function isUsageIdPart(value: string): boolean {
  return /^[A-Za-z0-9._-]{1,128}$/.test(value);
}

/** Status class of a status code as the analytics API names it: `2xx`, or `other` outside 100-599. */
export function statusClass(status: number): string {
  return status >= 100 && status <= 599 ? `${Math.floor(status / 100)}xx` : 'other';
}

/** Calls counted as errors in analytics (and, by default, not billed): server-side failures. */
export function isErrorStatus(status: number): boolean {
  return status >= 500 && status <= 599;
}
