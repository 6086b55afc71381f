import type { MetricsSnapshot } from './proxy-metrics';

export interface UpstreamTargetHealth {
  readonly upstream: string;
  readonly target: string;
  readonly weight: number;
  readonly healthy: boolean;
}

/** What one serving process (or, summed, a whole node) reports to the status server. */
export interface NodeStats {
  readonly connections: { readonly active: number; readonly accepted: number };
  readonly requestsInFlight: number;
  readonly metrics: MetricsSnapshot;
  readonly upstreams: readonly UpstreamTargetHealth[];
  /** Resident memory of every process of the node, bytes. */
  readonly memory: { readonly rss: number; readonly heapUsed: number; readonly heapTotal: number };
  readonly workers: number;
}

/** The status server's view of the node: in-process, or gathered from workers by the primary. */
export interface StatusSource {
  config(): { readonly version: number; readonly hash: string } | null;
  stats(): Promise<NodeStats>;
}
