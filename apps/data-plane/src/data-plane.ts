import type { ConfigSnapshot, EntityCollection } from '@tollgate/config';
import { PROMETHEUS_STATE, type PrometheusStore, type WindowCounterStore } from '@tollgate/plugins';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { LiveConfig } from './config/live-config';
import type { RuntimeConfig } from './config/runtime-config';
import { LocalWindowCounters } from './counters/local-window-counters';
import { createLogger, type Logger } from './logger';
import { GatewayServices } from './pipeline/gateway-services';
import { ProxyHandler, type UsageSink } from './proxy/proxy-handler';
import { connectionCap, descriptorLimit } from './proxy/connection-cap';
import { ConnectionGuard } from './proxy/connection-guard';
import { createProxyServer, createTlsProxyServer, type ProxyServer, type TlsProxyServer } from './proxy/proxy-server';
import { UpstreamPools } from './proxy/upstream-pools';
import { WebSocketProxy } from './proxy/websocket-proxy';
import type { DataPlaneSettings, ListenAddress } from './settings';
import { ProxyMetrics } from './status/proxy-metrics';
import { createStatusServer } from './status/status-server';
import { processMemory } from './status/process-memory';
import { NO_CONFIG, NOT_ACCEPTING, READY, type NodeStats, type Readiness, type UsageStats } from './status/status-source';
import type { ApplyOutcome, ConfigApplier } from './sync/config-applier';
import { deliverPluginMessage } from './config/plugin-messages';
import { startServingUsage } from './usage/serving-usage';
import type { UsageRecorder } from './usage/usage-recorder';
import { useRegionPlanCounters } from './plans/plan-counters';

export { applyEntityChanges, diffEntities } from './cluster/entity-changes';
export { readDataPlaneSettings, type DataPlaneSettings, type ListenAddress } from './settings';
export type { ApplyOutcome, ConfigApplier } from './sync/config-applier';
export type { NodeStats } from './status/status-source';
export type { UsageSink } from './proxy/proxy-handler';

export interface DataPlaneOptions {
  readonly logger?: Logger;
  /** Node-wide counters of the `local` rate-limiting policy; a cluster worker passes its IPC-backed view. */
  readonly nodeCounters?: WindowCounterStore & { close(): void };
  /** Serve /status here; a cluster worker leaves it to the primary. Default: when statusListen is set. */
  readonly status?: boolean;
  /** Meters every finished call into this sink (tests); the caller owns it. Overrides `usageSlot`. */
  readonly usage?: UsageSink;
  /**
   * Meter this serving process with a usage recorder of its own (unless settings.usage is off),
   * journaling in slot `usageSlot` under the prefix: main passes 0, a cluster worker its slot.
   * close() stops it after the proxy has drained, so the last calls are flushed. None by default.
   */
  readonly usageSlot?: number;
}

export interface RunningDataPlane extends ConfigApplier {
  /** `http://host:port` of the proxy listener. */
  readonly proxyUrl: string;
  readonly proxySslUrl: string | null;
  readonly statusUrl: string | null;
  /** Checks and swaps in a snapshot; on errors (a Nack) the config being served stays. */
  applySnapshot(snapshot: ConfigSnapshot, changed?: ReadonlySet<EntityCollection>): Promise<ApplyOutcome>;
  /** Hands a control-plane plugin message (a proxy-cache purge) to its plugin in this process. */
  pluginMessage(plugin: string, payload: unknown): void;
  current(): { version: number; hash: string } | null;
  stats(): Promise<NodeStats>;
  /** Stops accepting, lets in-flight requests finish (up to the drain timeout), then releases everything. */
  close(): Promise<void>;
}

type AnyServer = Server | ProxyServer | TlsProxyServer;

/** How long a stopping data plane keeps sending its log queues' entries before counting the rest as dropped. */
const LOG_FLUSH_BOUND_MS = 5000;

function listen(server: AnyServer, address: ListenAddress): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(address.port, address.host, () => {
      server.off('error', reject);
      const bound = server.address() as AddressInfo;
      const host = bound.address === '0.0.0.0' || bound.address === '::' ? '127.0.0.1' : bound.address;
      resolve(`${host.includes(':') ? `[${host}]` : host}:${bound.port}`);
    });
  });
}

function closeServer(server: AnyServer | null): Promise<void> {
  return new Promise((resolve) => (server === null || !server.listening ? resolve() : server.close(() => resolve())));
}

/** The client connection cap of this serving process: its share of the node's, below its descriptor limit. */
function guardFor(settings: DataPlaneSettings, logger: Logger): ConnectionGuard {
  const descriptors = descriptorLimit();
  const cap = connectionCap({ ...settings.edge, processes: Math.max(1, settings.workers), descriptors });
  if (cap.exceedsDescriptors) logger.warn({ connections: cap.connections, descriptors }, 'client connection cap exceeds what the descriptor limit (ulimit -n) leaves room for');
  else logger.info({ connections: cap.connections, reason: cap.reason, descriptors }, 'client connection cap');
  return new ConnectionGuard(cap.connections, settings.edge, logger);
}

/** One serving process: the proxy listeners, its live config, and what requests share. */
class DataPlane {
  readonly pools = new UpstreamPools();
  readonly metrics = new ProxyMetrics();
  readonly connections: ConnectionGuard;
  readonly live: LiveConfig;
  readonly services: GatewayServices;
  readonly handler: ProxyHandler;
  readonly websockets: WebSocketProxy;
  readonly proxy: ProxyServer;
  readonly tls: TlsProxyServer | null;
  readonly status: Server | null;

  constructor(
    private readonly settings: DataPlaneSettings,
    private readonly logger: Logger,
    private readonly nodeCounters: WindowCounterStore & { close(): void },
    options: DataPlaneOptions,
    private readonly recorder: UsageRecorder | null,
  ) {
    this.connections = guardFor(settings, logger);
    this.live = new LiveConfig(this.pools, logger, { probes: true, onSwapped: (config) => this.useDefaultCertificate(config) });
    this.services = new GatewayServices(nodeCounters, settings.redisKeyPrefix, logger, settings.redisUrl);
    if (settings.planCounters === 'redis') useRegionPlanCounters(this.services, settings.redisUrl);
    const requestBuffering = {
      memoryBytes: settings.edge.clientBodyBufferBytes,
      tempDir: join(settings.prefix, 'tmp'),
      responseBytes: settings.edge.proxyBufferBytes,
    };
    this.handler = new ProxyHandler(this.live, this.services, this.metrics, logger, options.usage ?? recorder, requestBuffering, settings.headers);
    this.websockets = new WebSocketProxy(this.live, this.services, settings.headers);
    const serverOptions = { maxHeaderSize: settings.maxHeaderSize, edge: settings.edge, guard: this.connections };
    this.proxy = createProxyServer(this.handler, this.websockets, serverOptions);
    this.tls = settings.proxySslListen === null ? null : createTlsProxyServer(this.handler, this.websockets, this.live, serverOptions);
    const source = { config: () => this.live.version(), stats: () => this.stats(), readiness: () => this.readiness() };
    this.status = (options.status ?? true) && settings.statusListen !== null ? createStatusServer(source, logger) : null;
  }

  /** Handshakes without SNI get the config's first certificate. */
  private useDefaultCertificate(config: RuntimeConfig): void {
    const pem = config.certificates.fallbackPem;
    if (this.tls !== null && pem !== null) this.tls.setSecureContext(pem);
  }

  async stats(): Promise<NodeStats> {
    const memory = processMemory();
    const balancers = [...(this.live.current?.balancers.values() ?? [])];
    return {
      connections: { active: this.connections.active, accepted: this.connections.accepted },
      edge: this.connections.stats(),
      requestsInFlight: this.handler.requestsInFlight,
      metrics: this.metrics.snapshot(),
      upstreams: balancers.flatMap((b) => b.health().map((t) => ({ upstream: b.upstream.name, ...t }))),
      memory: { rss: memory.rss, heapUsed: memory.heapUsed, heapTotal: memory.heapTotal },
      workers: 0,
      usage: this.usageStats(),
      prometheus: (this.services.peekState(PROMETHEUS_STATE) as PrometheusStore | undefined)?.snapshot() ?? null,
      logQueues: this.services.logQueues.stats(),
    };
  }

  async readiness(): Promise<Readiness> {
    if (this.live.version() === null) return NO_CONFIG;
    return this.connections.stats().accepting ? READY : NOT_ACCEPTING;
  }

  private usageStats(): UsageStats | null {
    if (this.recorder === null) return null;
    const b = this.recorder.backlog();
    return { journalBatches: b.batches, journalBytes: b.bytes, sent: b.sent, dropped: b.dropped, pendingRows: b.pendingRows, redisConnected: b.redisReachable };
  }

  async start(): Promise<RunningDataPlane> {
    const s = this.settings;
    const proxyUrl = `http://${await listen(this.proxy, s.proxyListen)}`;
    const proxySslUrl = this.tls && s.proxySslListen ? `https://${await listen(this.tls, s.proxySslListen)}` : null;
    const statusUrl = this.status && s.statusListen ? `http://${await listen(this.status, s.statusListen)}` : null;
    this.logger.info({ proxy: proxyUrl, proxySsl: proxySslUrl, status: statusUrl }, 'data plane listening');
    return {
      proxyUrl,
      proxySslUrl,
      statusUrl,
      applySnapshot: (snapshot, changed) => this.live.applySnapshot(snapshot, changed),
      pluginMessage: (plugin, payload) => void deliverPluginMessage(plugin, payload),
      current: () => this.live.version(),
      stats: () => this.stats(),
      close: () => this.close(),
    };
  }

  async close(): Promise<void> {
    const stopped = Promise.all([closeServer(this.proxy), closeServer(this.tls), closeServer(this.status)]);
    this.proxy.closeIdleConnections();
    this.tls?.closeIdleConnections();
    const deadline = new Promise<void>((resolve) => setTimeout(resolve, this.settings.drainTimeoutMs).unref());
    await Promise.race([this.handler.drained(), deadline]);
    // Whatever is still open now is idle keep-alive, a tunnel, or past the deadline.
    this.websockets.closeAll();
    for (const socket of this.connections.sockets) socket.destroy();
    this.status?.closeAllConnections();
    await stopped;
    this.live.close();
    this.connections.close();
    this.nodeCounters.close();
    // Log plugins' queues (this process's own) flush what the last calls logged, for a bounded time.
    await Promise.all([this.pools.close(), this.services.redis.close(), this.services.logQueues.close(LOG_FLUSH_BOUND_MS)]);
    // Every call has been recorded by now: journal the last counts and send what Redis takes.
    await this.recorder?.stop();
    this.logger.info('data plane stopped');
  }
}

/** Serves the proxy (and, unless told otherwise, the status port) in this process. */
export async function startDataPlane(settings: DataPlaneSettings, options: DataPlaneOptions = {}): Promise<RunningDataPlane> {
  const logger = options.logger ?? createLogger(settings.logLevel, { node: settings.nodeName, role: 'data-plane' });
  const recorder = options.usage === undefined && options.usageSlot !== undefined ? await startServingUsage(settings, options.usageSlot, logger) : null;
  const plane = new DataPlane(settings, logger, options.nodeCounters ?? new LocalWindowCounters(), options, recorder);
  try {
    return await plane.start();
  } catch (err) {
    await recorder?.stop();
    throw err;
  }
}
