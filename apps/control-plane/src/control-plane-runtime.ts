import type { ClusterTls } from '@tollgate/protocol';
import type { CoalescingOptions } from './config-sync/config-publisher';
import type { ControlPlaneSettings } from './settings';
import type { UsageWorkerOptions } from './usage/usage-ingestion.worker';

/** Injection token of the runtime every domain module reads its start-up configuration from. */
export const CONTROL_PLANE_RUNTIME = Symbol('CONTROL_PLANE_RUNTIME');

/** What a control plane process was started with: its settings, cluster TLS and test-only timings. */
export interface ControlPlaneRuntime {
  readonly settings: ControlPlaneSettings;
  readonly clusterTls: ClusterTls;
  readonly coalescing?: CoalescingOptions;
  /** Usage worker lock timings (tests shorten them to see stalled jobs taken over quickly). */
  readonly usageWorker?: Pick<UsageWorkerOptions, 'lockDurationMs' | 'stalledIntervalMs'>;
}
