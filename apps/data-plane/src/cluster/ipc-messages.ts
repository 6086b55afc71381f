import type { ConfigSnapshot } from '@tollgate/config';
import type { ApplyOutcome } from '../sync/config-applier';
import type { EntityChanges } from './entity-changes';
import type { NodeStats } from '../status/status-source';

/** The fork environment variable carrying a worker's slot (0..workers-1), kept by its replacements. */
export const WORKER_SLOT_ENV = 'TOLLGATE_WORKER_SLOT';

/** A worker's slot from its environment; 0 outside the cluster. */
export function workerSlot(env: Readonly<Record<string, string | undefined>> = process.env): number {
  const raw = env[WORKER_SLOT_ENV];
  if (raw === undefined) return 0;
  if (!/^\d{1,4}$/.test(raw)) throw new Error(`${WORKER_SLOT_ENV}: expected a worker slot number, got '${raw}'`);
  return Number(raw);
}

/** Messages between the cluster primary and its workers (besides the counter sync). */
export type PrimaryMessage =
  | { readonly type: 'tollgate:config'; readonly snapshot: ConfigSnapshot }
  /** A delta's apply: only the changed entities travel; the worker keeps the rest it has. */
  | { readonly type: 'tollgate:config-change'; readonly version: number; readonly hash: string; readonly changes: EntityChanges }
  | { readonly type: 'tollgate:stats-request'; readonly id: number }
  /** A control-plane message for one plugin (a proxy-cache purge), for every worker. */
  | { readonly type: 'tollgate:plugin-message'; readonly plugin: string; readonly payload: unknown }
  | { readonly type: 'tollgate:shutdown' };

export type WorkerMessage =
  | { readonly type: 'tollgate:listening' }
  | { readonly type: 'tollgate:applied'; readonly version: number; readonly outcome: ApplyOutcome }
  | { readonly type: 'tollgate:stats'; readonly id: number; readonly stats: NodeStats };

const PRIMARY_TYPES = new Set(['tollgate:config', 'tollgate:config-change', 'tollgate:stats-request', 'tollgate:plugin-message', 'tollgate:shutdown']);
const WORKER_TYPES = new Set(['tollgate:listening', 'tollgate:applied', 'tollgate:stats']);

function typeOf(message: unknown): unknown {
  return typeof message === 'object' && message !== null ? (message as { type?: unknown }).type : undefined;
}

export function isPrimaryMessage(message: unknown): message is PrimaryMessage {
  return PRIMARY_TYPES.has(typeOf(message) as string);
}

export function isWorkerMessage(message: unknown): message is WorkerMessage {
  return WORKER_TYPES.has(typeOf(message) as string);
}
