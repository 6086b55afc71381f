export { LogQueue, type BatchSender, type LogQueueStats } from './log-queue';
export { LogQueues, queueKey } from './log-queues';
export { queueField, UNCONFIGURED_QUEUE, type QueueConfig } from './queue-schema';
export { httpBatchSender, type HttpBatchTarget } from './http-batch-sender';
