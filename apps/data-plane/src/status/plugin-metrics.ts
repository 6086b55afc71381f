import { mergePrometheus, renderKongMetrics, type LogQueueStats } from '@tollgate/plugins';
import type { NodeStats } from './status-source';

/** The workers' queues of the same plugin config (same name) added up. */
export function mergeLogQueues(all: readonly (readonly LogQueueStats[] | undefined)[]): LogQueueStats[] {
  const byName = new Map<string, LogQueueStats>();
  for (const q of all.flatMap((list) => list ?? [])) {
    const seen = byName.get(q.name);
    byName.set(
      q.name,
      seen === undefined
        ? q
        : { ...seen, queued: seen.queued + q.queued, bytes: seen.bytes + q.bytes, sent: seen.sent + q.sent, dropped: seen.dropped + q.dropped, failed: seen.failed + q.failed },
    );
  }
  return [...byName.values()];
}

/** What the cluster primary adds to its merged NodeStats for plugins. */
export function mergePluginStats(all: readonly NodeStats[]): Pick<NodeStats, 'prometheus' | 'logQueues'> {
  return { prometheus: mergePrometheus(all.map((s) => s.prometheus)), logQueues: mergeLogQueues(all.map((s) => s.logQueues)) };
}

const QUEUE_METRICS: readonly [keyof LogQueueStats, string, 'gauge' | 'counter', string][] = [
  ['queued', 'tollgate_log_queue_entries', 'gauge', 'Log entries waiting on a log plugin queue'],
  ['bytes', 'tollgate_log_queue_bytes', 'gauge', 'Bytes of log entries waiting on a log plugin queue'],
  ['sent', 'tollgate_log_queue_sent_total', 'counter', 'Log entries delivered by a log plugin queue'],
  ['dropped', 'tollgate_log_queue_dropped_total', 'counter', 'Log entries dropped because the queue was full (oldest first) or a shutdown flush ran out of time'],
  ['failed', 'tollgate_log_queue_failed_total', 'counter', 'Log entries of batches given up after queue.max_retry_time'],
];

function logQueueText(queues: readonly LogQueueStats[]): string {
  if (queues.length === 0) return '';
  const out: string[] = [];
  for (const [field, name, type, help] of QUEUE_METRICS) {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const q of queues) out.push(`${name}{plugin="${q.plugin}",queue="${q.name}"} ${q[field] as number}`);
  }
  return `${out.join('\n')}\n`;
}

/** Text appended to /metrics: Kong's prometheus plugin series and the log queues' counters. */
export function pluginMetricsText(stats: NodeStats): string {
  return renderKongMetrics(stats.prometheus ?? null, stats.upstreams) + logQueueText(stats.logQueues ?? []);
}
