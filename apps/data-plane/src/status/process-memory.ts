import { getHeapStatistics } from 'node:v8';

export interface ProcessMemory {
  readonly rss: number;
  readonly heapUsed: number;
  readonly heapTotal: number;
}

let lastRss = 0;

/**
 * process.memoryUsage() without its failure: it reads /proc for the RSS and throws EMFILE when
 * the process is out of descriptors, which is exactly when /status is asked. Then the heap comes
 * from V8 (no descriptor needed) and the RSS is the last one read.
 */
export function processMemory(): ProcessMemory {
  try {
    const m = process.memoryUsage();
    lastRss = m.rss;
    return { rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal };
  } catch {
    const heap = getHeapStatistics();
    return { rss: lastRss, heapUsed: heap.used_heap_size, heapTotal: heap.total_heap_size };
  }
}
