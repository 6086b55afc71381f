import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from '../logger';
import { MetricsRegistry } from './metrics-registry';
import type { StatusSource } from './status-source';

const JSON_TYPE = 'application/json; charset=utf-8';
const NOT_FOUND = JSON.stringify({ message: 'Not found' });

function sendJson(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'Content-Type': JSON_TYPE, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

async function status(source: StatusSource, res: ServerResponse): Promise<void> {
  const config = source.config();
  const stats = await source.stats();
  const total = stats.metrics.requestsByClass.reduce((a, b) => a + b, 0);
  sendJson(
    res,
    200,
    JSON.stringify({
      configuration: config === null ? null : { version: config.version, hash: config.hash },
      configuration_hash: config?.hash ?? null,
      server: {
        connections_active: stats.connections.active,
        connections_accepted: stats.connections.accepted,
        connections_capacity: stats.edge.capacity,
        connections_refused: stats.edge.refused,
        accept_errors: stats.edge.acceptErrors,
        client_header_timeouts: stats.edge.headerTimeouts,
        client_body_timeouts: stats.edge.bodyTimeouts,
        accepting: stats.edge.accepting,
        requests_in_flight: stats.requestsInFlight,
        total_requests: total,
      },
      memory: { rss: stats.memory.rss, heap_used: stats.memory.heapUsed, heap_total: stats.memory.heapTotal },
      workers: stats.workers,
      usage:
        stats.usage === null
          ? null
          : {
              journal_batches: stats.usage.journalBatches,
              journal_bytes: stats.usage.journalBytes,
              batches_sent: stats.usage.sent,
              batches_dropped: stats.usage.dropped,
              pending_rows: stats.usage.pendingRows,
              redis_connected: stats.usage.redisConnected,
            },
    }),
  );
}

/**
 * The status listener (loopback by default): `/status`, `/status/ready` for load balancers and
 * orchestrators (503 until a config is being served), `/metrics` for Prometheus.
 */
export function createStatusServer(source: StatusSource, logger: Logger): Server {
  const metrics = new MetricsRegistry(() => source.config()?.version ?? null);
  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendJson(res, 405, JSON.stringify({ message: 'Method not allowed' }));
    switch (path) {
      case '/status':
        return status(source, res);
      case '/status/ready': {
        const readiness = await source.readiness();
        return sendJson(res, readiness.ready ? 200 : 503, JSON.stringify({ message: readiness.message }));
      }
      case '/metrics': {
        const text = await metrics.render(await source.stats());
        res.writeHead(200, { 'Content-Type': metrics.contentType });
        return void res.end(text);
      }
      default:
        return sendJson(res, 404, NOT_FOUND);
    }
  };
  const server = createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      logger.error({ err: error }, 'status request failed');
      if (!res.headersSent && !res.destroyed) sendJson(res, 500, JSON.stringify({ message: 'An unexpected error occurred' }));
    });
  });
  // Out of descriptors, accept fails here too: libuv sheds the pending connections and keeps listening.
  let lastWarnAt = 0;
  server.on('error', (error: Error) => {
    if (Date.now() - lastWarnAt < 10_000) return;
    lastWarnAt = Date.now();
    logger.warn({ err: error }, 'status listener error');
  });
  return server;
}
