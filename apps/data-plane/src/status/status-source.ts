import type { LogQueueStats, PrometheusSnapshot } from '@tollgate/plugins';
import type { EdgeStats } from '../proxy/connection-guard';
import type { MetricsSnapshot } from './proxy-metrics';

export interface UpstreamTargetHealth {
  readonly upstream: string;
  readonly target: string;
  readonly weight: number;
  readonly healthy: boolean;
}

/** Metering's backlog: what is not yet handed to Redis (null when metering is off). */
export interface UsageStats {
  /** Closed batches in the on-disk journal, not yet acknowledged by Redis, and their bytes. */
  readonly journalBatches: number;
  readonly journalBytes: number;
  /** Batches handed to Redis since start; batches refused because the journal was full. */
  readonly sent: number;
  readonly dropped: number;
  /** Usage cells counted in memory, not yet in a batch. */
  readonly pendingRows: number;
  /** Holds a ready Redis connection (opened with the first batch to send, reopened after failures). */
  readonly redisConnected: boolean;
}

/** What one serving process (or, summed, a whole node) reports to the status server. */
export interface NodeStats {
  readonly connections: { readonly active: number; readonly accepted: number };
  /** The client edge: connection cap, refusals, accept failures, client timeouts. */
  readonly edge: EdgeStats;
  readonly requestsInFlight: number;
  readonly metrics: MetricsSnapshot;
  readonly upstreams: readonly UpstreamTargetHealth[];
  /** Resident memory of every process of the node, bytes. */
  readonly memory: { readonly rss: number; readonly heapUsed: number; readonly heapTotal: number };
  readonly workers: number;
  readonly usage: UsageStats | null;
  /** What the prometheus plugin counted (null when no instance ran yet) and the log plugins' queues. */
  readonly prometheus?: PrometheusSnapshot | null;
  readonly logQueues?: readonly LogQueueStats[];
}

/** The status server's view of the node: in-process, or gathered from workers by the primary. */
export interface StatusSource {
  config(): { readonly version: number; readonly hash: string } | null;
  stats(): Promise<NodeStats>;
  /** Whether a load balancer should send this node traffic, and why not. */
  readiness(): Promise<Readiness>;
}

export interface Readiness {
  readonly ready: boolean;
  readonly message: string;
}

export const READY: Readiness = Object.freeze({ ready: true, message: 'ready' });
export const NO_CONFIG: Readiness = Object.freeze({ ready: false, message: 'no configuration loaded yet' });
export const NOT_ACCEPTING: Readiness = Object.freeze({ ready: false, message: 'not accepting connections: at the connection cap or out of file descriptors' });

/** The cluster primary holds a config but not every worker serves it yet. */
export function notServing(serving: number, workers: number): Readiness {
  return Object.freeze({ ready: false, message: `workers still loading the configuration: ${serving} of ${workers} serving` });
}
