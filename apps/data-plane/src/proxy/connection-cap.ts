import { readFileSync } from 'node:fs';

/**
 * Descriptors a serving process keeps for everything but client connections: listeners, IPC,
 * Redis, the usage journal, temp files of buffered bodies, node's own.
 */
export const RESERVED_DESCRIPTORS = 128;

/** The soft RLIMIT_NOFILE of this process (what `ulimit -n` shows), or null where it cannot be read. */
export function descriptorLimit(limitsFile = '/proc/self/limits'): number | null {
  try {
    const line = readFileSync(limitsFile, 'latin1')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    const soft = line === undefined ? NaN : Number(line.slice('Max open files'.length).trim().split(/\s+/)[0]);
    return Number.isSafeInteger(soft) && soft > 0 ? soft : null;
  } catch {
    return null;
  }
}

export interface ConnectionCapInput {
  /** TOLLGATE_WORKER_CONNECTIONS; null = from the descriptor limit. */
  readonly workerConnections: number | null;
  /** TOLLGATE_MAX_CONNECTIONS for the whole node; null = none. */
  readonly maxConnections: number | null;
  /** Serving processes sharing the node's cap (cluster workers, or 1). */
  readonly processes: number;
  /** This process's descriptor limit; null when unknown. */
  readonly descriptors: number | null;
}

export interface ConnectionCap {
  readonly connections: number;
  /** Why the cap is what it is, for the start log. */
  readonly reason: 'descriptors' | 'worker_connections' | 'max_connections' | 'none';
  /** A configured cap above what the descriptor limit leaves room for (the start log warns). */
  readonly exceedsDescriptors: boolean;
}

/**
 * Client connections one serving process may hold. Each proxied request holds a second
 * descriptor for its upstream connection, so the descriptor-derived cap (the default) is half of
 * what is left after the reserve: a worker at its cap still has descriptors to reach upstreams
 * and to answer /status, and never meets EMFILE. TOLLGATE_WORKER_CONNECTIONS overrides it, as
 * nginx's worker_connections may exceed `ulimit -n` (and nginx warns, as the start log does).
 */
export function connectionCap(input: ConnectionCapInput): ConnectionCap {
  const fromDescriptors = input.descriptors === null ? null : Math.max(16, Math.floor((input.descriptors - RESERVED_DESCRIPTORS) / 2));
  const share = input.maxConnections === null ? null : Math.max(1, Math.ceil(input.maxConnections / Math.max(1, input.processes)));
  let connections = Number.MAX_SAFE_INTEGER;
  let reason: ConnectionCap['reason'] = 'none';
  if (input.workerConnections !== null) [connections, reason] = [input.workerConnections, 'worker_connections'];
  else if (fromDescriptors !== null) [connections, reason] = [fromDescriptors, 'descriptors'];
  if (share !== null && share < connections) [connections, reason] = [share, 'max_connections'];
  return { connections, reason, exceedsDescriptors: fromDescriptors !== null && connections > fromDescriptors };
}
