import cluster from 'node:cluster';

/**
 * Lets every worker accept its own connections from the shared listening socket
 * (`SCHED_NONE`), instead of node's default on Linux where the primary accepts every connection
 * and passes it to a worker over IPC (`SCHED_RR`). With round-robin the primary's event loop is
 * on every connection's accept path, so whatever else it does (checking and diffing a large
 * config, relaying rate-limit counts) stalls new connections on every worker; with SCHED_NONE
 * it is off that path. Measured in test/bench/RESULTS.md ("Cluster scheduling policy").
 * node's own `NODE_CLUSTER_SCHED_POLICY=rr` still selects round-robin (for A/B runs).
 * Must run before the first `setupPrimary()` or `fork()`.
 */
export function useWorkerAccept(env: Readonly<Record<string, string | undefined>> = process.env): void {
  cluster.schedulingPolicy = env.NODE_CLUSTER_SCHED_POLICY === 'rr' ? cluster.SCHED_RR : cluster.SCHED_NONE;
}
