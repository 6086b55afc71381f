import { queueKey, UNCONFIGURED_QUEUE, type BatchSender, type LogQueue } from '../log-queue';
import { kongLogJson } from '../log-serializer';
import type { PluginContext, PluginHandler } from '../plugin-handler';
import { fileSender } from './file-sender';
import { fileLogSchema } from './schema';

/** A write that fails (no such directory, no permission) is not retried, as in Kong: the entries are counted as failed. */
const FILE_QUEUE = Object.freeze({ ...UNCONFIGURED_QUEUE, max_retry_time: -1 });

export interface FileLogConfig {
  readonly path: string;
  readonly reopen: boolean;
}

export interface PreparedFileLog {
  readonly key: string;
  readonly sender: () => BatchSender;
  queue: LogQueue | null;
}

/**
 * Kong's file-log: one JSON line per call. Lines are written by this worker's queue for the file,
 * never in the request's turn of the event loop; workers append to the same file (O_APPEND keeps
 * each write whole, as with Kong's nginx workers).
 */
export const fileLogHandler: PluginHandler<FileLogConfig, PreparedFileLog> = {
  name: fileLogSchema.name,
  version: fileLogSchema.version,
  priority: fileLogSchema.priority,
  prepare(config) {
    return { key: queueKey('file-log', config), sender: () => fileSender(config.path, config.reopen), queue: null };
  },
  log(ctx: PluginContext, config: PreparedFileLog): void {
    const queue = config.queue?.open ? config.queue : (config.queue = ctx.services.logQueues.queue('file-log', config.key, FILE_QUEUE, config.sender));
    queue.add(kongLogJson(ctx));
  },
};
