/**
 * V8 flags the serving workers run with, besides the primary's own. Each was measured on the bench
 * configs (`test/bench/RESULTS.md`, "Throughput after idle" and "Young generation size").
 *
 * - `--no-memory-reducer`: after a few seconds without traffic V8's memory reducer shrinks the heap
 *   (three "Mark-Compact (reduce)" GCs, old generation 85 -> 43 MB). When traffic returned the
 *   worker served 8-20% fewer requests for more than 10 s in every trial, against none without the
 *   reducer. A gateway's heap is its working set; keeping it through a quiet minute costs a few
 *   tens of MB and no CPU.
 * - `--max-semi-space-size=32` (MB; V8's default is 16): a proxied call allocates ~15 KB, so under
 *   load the young generation is scavenged every ~30 ms, each scavenge promotes ~50 KB, and a full
 *   Mark-Compact runs every ~2.3 s. With twice the room, the p99 of the key-auth + rate-limiting
 *   row fell from 10.7-16 ms to 3.9-8.5 ms over six rounds each, and best req/s rose 1-8%, for up
 *   to 32 MB more memory per worker under load.
 */
export const WORKER_V8_FLAGS: readonly string[] = ['--no-memory-reducer', '--max-semi-space-size=32'];
