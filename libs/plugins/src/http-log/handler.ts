import { httpBatchSender, queueKey, type BatchSender, type LogQueue, type QueueConfig } from '../log-queue';
import { kongLogJson } from '../log-serializer';
import { PluginConfigError } from '../plugin-config-error';
import type { PluginContext, PluginHandler } from '../plugin-handler';
import { httpLogSchema } from './schema';

export interface HttpLogConfig {
  readonly http_endpoint: string;
  readonly method: 'POST' | 'PUT' | 'PATCH';
  readonly content_type: string;
  readonly timeout: number;
  readonly keepalive: number;
  readonly headers: Readonly<Record<string, string>> | null;
  readonly queue: QueueConfig;
}

/** Computed once per config; the queue itself is found (or made) on the first log call of a worker. */
export interface PreparedHttpLog {
  readonly key: string;
  readonly queueConfig: QueueConfig;
  readonly sender: () => BatchSender;
  queue: LogQueue | null;
}

/** Kong: one entry is sent as itself when batches hold one, otherwise as a JSON array. */
function batchBody(maxBatchSize: number): (entries: readonly string[]) => string {
  return maxBatchSize === 1 ? (entries) => entries[0]! : (entries) => `[${entries.join(',')}]`;
}

function prepare(config: HttpLogConfig): PreparedHttpLog {
  const url = new URL(config.http_endpoint);
  const headers: Record<string, string> = { 'Content-Type': config.content_type };
  const userinfo = url.username !== '' ? `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}` : null;
  for (const [name, value] of Object.entries(config.headers ?? {})) {
    if (userinfo !== null && name.toLowerCase() === 'authorization') {
      throw new PluginConfigError('config', "specifying both an 'Authorization' header and user info in 'http_endpoint' is not allowed");
    }
    headers[name] = value;
  }
  if (userinfo !== null) headers.Authorization = `Basic ${Buffer.from(userinfo).toString('base64')}`;
  const target = { url, method: config.method, headers, timeout: config.timeout, keepalive: config.keepalive, body: batchBody(config.queue.max_batch_size) };
  // Nothing is opened here: prepare also runs where the config is only checked (the cluster primary).
  return { key: queueKey('http-log', config), queueConfig: config.queue, sender: () => httpBatchSender(target), queue: null };
}

/**
 * Kong's http-log: each call's log entry (Kong's serializer JSON) goes on this worker's queue for
 * the plugin's config and is sent in batches by the queue, off the request path.
 */
export const httpLogHandler: PluginHandler<HttpLogConfig, PreparedHttpLog> = {
  name: httpLogSchema.name,
  version: httpLogSchema.version,
  priority: httpLogSchema.priority,
  prepare,
  log(ctx: PluginContext, config: PreparedHttpLog): void {
    const queue = config.queue?.open ? config.queue : (config.queue = ctx.services.logQueues.queue('http-log', config.key, config.queueConfig, config.sender));
    queue.add(kongLogJson(ctx));
  },
};
