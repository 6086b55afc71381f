import * as grpc from '@grpc/grpc-js';
import { Injectable, Logger } from '@nestjs/common';
import { clusterServerCredentials, loadConfigSync, type ClusterTls, type DataPlaneMessage } from '@tollgate/protocol';
import { ConfigSyncService } from './config-sync.service';
import type { DataPlaneSession, SyncStream } from './data-plane-session';

const KEEPALIVE_MS = 15_000;

function peerIp(peer: string): string {
  return peer.replace(/^ipv[46]:/, '').replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
}

/** `tollgate.v1.ConfigSync` on the cluster port; each stream is handed to ConfigSyncService hooks. */
@Injectable()
export class ConfigSyncServer {
  private readonly logger = new Logger('ConfigSyncServer');
  private server: grpc.Server | null = null;
  private boundPort = 0;
  /** Each open stream's message queue, awaited on close so no ack is written to a closed pool. */
  private readonly queues = new Set<Promise<void>>();

  constructor(private readonly sync: ConfigSyncService) {}

  async listen(host: string, port: number, tls: ClusterTls): Promise<number> {
    if (tls.mode === 'off') {
      this.logger.warn('CLUSTER mTLS IS OFF: data planes connect in plain text with no authentication. Development only.');
    }
    const server = new grpc.Server({ 'grpc.keepalive_time_ms': KEEPALIVE_MS, 'grpc.max_receive_message_length': 8 * 1024 * 1024 });
    server.addService(loadConfigSync().ConfigSync.service, { Sync: (stream: SyncStream) => this.handle(stream) });
    const bound = await new Promise<number>((resolve, reject) => {
      server.bindAsync(`${host.includes(':') ? `[${host}]` : host}:${port}`, clusterServerCredentials(tls), (err, p) => (err ? reject(err) : resolve(p)));
    });
    this.server = server;
    this.boundPort = bound;
    return bound;
  }

  /** The port listened on (the settings may ask for 0: any free one). */
  get port(): number {
    return this.boundPort;
  }

  private handle(stream: SyncStream): void {
    let session: DataPlaneSession | null = null;
    let queue = Promise.resolve();
    const keepalive = setInterval(() => stream.write({ message: 'keepalive', keepalive: { latest_version: session?.sentVersion ?? 0 } }), KEEPALIVE_MS);
    keepalive.unref();
    // Messages of one stream are handled in order, one at a time.
    stream.on('data', (message: DataPlaneMessage) => {
      const previous = queue;
      queue = previous
        .then(() => this.dispatch(stream, session, message).then((s) => void (session = s)))
        .catch((err: unknown) => {
          this.logger.error(`sync stream error: ${err instanceof Error ? err.message : String(err)}`);
        });
      this.queues.delete(previous);
      this.queues.add(queue);
    });
    const closed = () => {
      clearInterval(keepalive);
      void queue.then(() => this.queues.delete(queue));
      if (session) this.sync.onStreamClose(session);
    };
    stream.on('end', () => {
      closed();
      stream.end();
    });
    stream.on('error', closed);
    stream.on('cancelled', closed);
  }

  private async dispatch(stream: SyncStream, session: DataPlaneSession | null, message: DataPlaneMessage): Promise<DataPlaneSession | null> {
    if (message.message === 'hello') {
      if (session) this.sync.onStreamClose(session);
      return this.sync.onStreamOpen(message.hello, stream, peerIp(stream.getPeer()));
    }
    if (!session) return null;
    if (message.message === 'ack') await this.sync.onAck(session, message.ack);
    else if (message.message === 'nack') await this.sync.onNack(session, message.nack);
    else if (message.message === 'heartbeat') await this.sync.onHeartbeat(session, message.heartbeat.config_version, message.heartbeat.config_hash);
    return session;
  }

  async close(): Promise<void> {
    await this.sync.closeAll();
    await Promise.all(this.queues);
    this.queues.clear();
    const server = this.server;
    this.server = null;
    if (!server) return;
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => {
        server.forceShutdown();
        resolve();
      }, 2000);
      server.tryShutdown(() => {
        clearTimeout(force);
        resolve();
      });
    });
  }
}
