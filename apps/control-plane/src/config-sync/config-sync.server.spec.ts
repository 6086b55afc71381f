import * as grpc from '@grpc/grpc-js';
import { loadConfigSync, type ControlPlaneMessage, type DataPlaneMessage, type Hello } from '@tollgate/protocol';
import { ConfigState, type Entity } from './config-state';
import { ConfigSyncServer } from './config-sync.server';
import { ConfigSyncService } from './config-sync.service';
import type { SyncStatus } from './data-plane-registry';
import { RegionSnapshot } from './region-snapshot';
import type { DataPlaneRecorder, SnapshotSource } from './snapshot-source';

/** Snapshots held in memory: the sync server and its hooks run here with no Postgres at all. */
class MemorySnapshotSource implements SnapshotSource {
  private current: RegionSnapshot;

  constructor(version: number, entities: Record<string, Entity[]>) {
    this.current = RegionSnapshot.derive(ConfigState.fromEntities(version, entities), 'default', null);
  }

  set(version: number, entities: Record<string, Entity[]>): void {
    this.current = RegionSnapshot.derive(ConfigState.fromEntities(version, entities), 'default', null);
  }

  async latest(regions: readonly string[]): Promise<Map<string, RegionSnapshot>> {
    return new Map(regions.map((r) => [r, this.current]));
  }

  async delta(): Promise<null> {
    return null;
  }
}

class MemoryRecorder implements DataPlaneRecorder {
  readonly events: string[] = [];
  async connected(hello: Hello) {
    this.events.push(`connected ${hello.node_id}`);
  }
  async disconnected(nodeId: string) {
    this.events.push(`disconnected ${nodeId}`);
  }
  async applied(nodeId: string, version: number) {
    this.events.push(`applied ${nodeId} ${version}`);
  }
  async status(nodeId: string, status: SyncStatus) {
    this.events.push(`status ${nodeId} ${status}`);
  }
  async seen(nodeId: string, version: number) {
    this.events.push(`seen ${nodeId} ${version}`);
  }
}

const service = (id: string, name: string): Entity =>
  ({ id, name, host: `${name}.internal`, port: 80, protocol: 'http', path: null, regions: [], tags: null, created_at: 0, updated_at: 0 }) as unknown as Entity;

type Stream = grpc.ClientDuplexStream<DataPlaneMessage, ControlPlaneMessage>;

/** The next message of a kind on a stream (others, such as keepalives, skipped). */
function next<K extends ControlPlaneMessage['message']>(stream: Stream, kind: K): Promise<Extract<ControlPlaneMessage, { message: K }>> {
  return new Promise((resolve) => {
    const onData = (message: ControlPlaneMessage) => {
      if (message.message !== kind) return;
      stream.off('data', onData);
      resolve(message as Extract<ControlPlaneMessage, { message: K }>);
    };
    stream.on('data', onData);
  });
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
}

describe('ConfigSyncServer over a SnapshotSource, with no Postgres', () => {
  let source: MemorySnapshotSource;
  let recorder: MemoryRecorder;
  let sync: ConfigSyncService;
  let server: ConfigSyncServer;
  let client: grpc.Client;

  beforeEach(async () => {
    source = new MemorySnapshotSource(3, { services: [service('7b1f0e1a-0000-4000-8000-000000000001', 'orders')] });
    recorder = new MemoryRecorder();
    sync = new ConfigSyncService(source, recorder);
    server = new ConfigSyncServer(sync);
    const port = await server.listen('127.0.0.1', 0, { mode: 'off' });
    const Client = loadConfigSync().ConfigSync;
    client = new Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  });

  afterEach(async () => {
    client.close();
    await server.close();
  });

  function connect(plugins: string[] = []): Stream {
    const stream = (client as unknown as { Sync(): Stream }).Sync();
    const hello = { node_id: 'dp-1', hostname: 'h', region: 'default', labels: {}, version: '0.1.0', plugins, config_version: 0, config_hash: '' };
    stream.write({ message: 'hello', hello } as DataPlaneMessage);
    return stream;
  }

  it('answers a Hello with the snapshot, records the Ack, and pushes the next version on publish', async () => {
    const stream = connect();
    const first = await next(stream, 'snapshot');
    expect(first.snapshot).toMatchObject({ version: 3, index: 0, count: 1 });
    expect(recorder.events).toContain('connected dp-1');

    stream.write({ message: 'ack', ack: { version: 3, hash: first.snapshot.hash } } as DataPlaneMessage);
    await until(() => recorder.events.includes('applied dp-1 3'));
    expect(recorder.events).toContain('applied dp-1 3');

    source.set(4, { services: [service('7b1f0e1a-0000-4000-8000-000000000001', 'orders'), service('7b1f0e1a-0000-4000-8000-000000000002', 'billing')] });
    const pushed = next(stream, 'snapshot');
    await sync.publish();
    expect((await pushed).snapshot).toMatchObject({ version: 4 });
    expect((await pushed).snapshot.hash).not.toBe(first.snapshot.hash);

    stream.end();
    await until(() => recorder.events.includes('disconnected dp-1'));
    expect(recorder.events).toContain('disconnected dp-1');
  });

  it('tells a data plane lacking a plugin the config uses, and sends it no config', async () => {
    const plugin = { id: '7b1f0e1a-0000-4000-8000-0000000000a1', name: 'cors', route: null, service: null, consumer: null, config: {}, protocols: ['http'], enabled: true, regions: [], tags: null } as unknown as Entity;
    source.set(5, { plugins: [plugin] });
    const stream = connect([]);
    const status = await next(stream, 'status');
    expect(status.status).toMatchObject({ status: 'plugin_set_incompatible', missing_plugins: ['cors'] });
    await until(() => recorder.events.includes('status dp-1 plugin_set_incompatible'));
    expect(recorder.events).toContain('status dp-1 plugin_set_incompatible');
    stream.end();
  });
});
