import { queueKey, UNCONFIGURED_QUEUE, type BatchSender, type LogQueue } from '../log-queue';
import { kongLogJson } from '../log-serializer';
import type { PluginContext, PluginHandler } from '../plugin-handler';
import { tcpLogSchema } from './schema';
import { tcpSender } from './tcp-sender';

export interface TcpLogConfig {
  readonly host: string;
  readonly port: number;
  readonly timeout: number;
  readonly keepalive: number;
  readonly tls: boolean;
  readonly tls_sni: string | null;
}

export interface PreparedTcpLog {
  readonly key: string;
  readonly sender: () => BatchSender;
  queue: LogQueue | null;
}

/**
 * Kong's tcp-log: one JSON line per call to host:port. Kong's schema has no queue record, so
 * entries go through the shared log queue with Kong's default bounds and retries.
 */
export const tcpLogHandler: PluginHandler<TcpLogConfig, PreparedTcpLog> = {
  name: tcpLogSchema.name,
  version: tcpLogSchema.version,
  priority: tcpLogSchema.priority,
  prepare(config) {
    const target = { host: config.host, port: config.port, timeout: config.timeout, keepalive: config.keepalive, tls: config.tls, tlsSni: config.tls_sni };
    return { key: queueKey('tcp-log', config), sender: () => tcpSender(target), queue: null };
  },
  log(ctx: PluginContext, config: PreparedTcpLog): void {
    const queue = config.queue?.open ? config.queue : (config.queue = ctx.services.logQueues.queue('tcp-log', config.key, UNCONFIGURED_QUEUE, config.sender));
    queue.add(kongLogJson(ctx));
  },
};
