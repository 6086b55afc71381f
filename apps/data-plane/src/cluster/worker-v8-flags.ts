/**
 * V8 flags the serving workers run with, besides the primary's own.
 *
 * `--no-memory-reducer`: after a few seconds without traffic V8's memory reducer shrinks the heap
 * (three "Mark-Compact (reduce)" GCs, old generation 85 -> 43 MB on the bench config). When traffic
 * returns the worker served 8-20% fewer requests for more than 10 s in every trial, against none
 * without the reducer (`test/bench/RESULTS.md`, "Throughput after idle"). A gateway's heap is its
 * working set; keeping it through a quiet minute costs a few tens of MB and no CPU.
 */
export const WORKER_V8_FLAGS: readonly string[] = ['--no-memory-reducer'];
