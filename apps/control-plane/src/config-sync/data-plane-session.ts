import type * as grpc from '@grpc/grpc-js';
import type { ControlPlaneMessage, DataPlaneMessage, Delta, Hello } from '@tollgate/protocol';
import type { RegionSnapshot } from './region-snapshot';

export type SyncStream = grpc.ServerDuplexStream<DataPlaneMessage, ControlPlaneMessage>;

/** What the control plane knows about one connected data plane's stream. */
export class DataPlaneSession {
  /** Version last sent (or claimed in Hello); deltas start from here. */
  sentVersion: number;
  /** Sent as a delta, not yet acknowledged: a Nack of it is answered with a full snapshot. */
  pendingDelta: number | null = null;
  /** A version the data plane rejected; not sent again. */
  rejectedVersion = -1;
  incompatible = false;
  /** Tells this stream apart from the same node's later ones, on this replica or another. */
  readonly streamId: string = crypto.randomUUID();
  /** Something has been sent on this stream, so sentVersion is ours rather than the Hello's. */
  synced = false;
  private turn: Promise<void> = Promise.resolve();

  constructor(
    readonly hello: Hello,
    readonly stream: SyncStream,
  ) {
    // A data plane with no config at all is behind even version 0 (an empty database), and one
    // serving a declarative file (version 0) is replaced by the control plane's config whatever it is.
    this.sentVersion = hello.config_hash && hello.config_version > 0 ? hello.config_version : -1;
  }

  get nodeId(): string {
    return this.hello.node_id;
  }

  get region(): string {
    return this.hello.region || 'default';
  }

  /** Runs decisions about this session one at a time: a publish and a Hello never both send. */
  serialize(task: () => Promise<void>): Promise<void> {
    const run = this.turn.then(task);
    this.turn = run.catch(() => undefined);
    return run;
  }

  missingPlugins(snapshot: RegionSnapshot): string[] {
    const available = new Set(this.hello.plugins);
    return [...snapshot.pluginsUsed].filter((name) => !available.has(name)).sort();
  }

  sendSnapshot(snapshot: RegionSnapshot): void {
    const chunks = snapshot.encodedChunks();
    chunks.forEach((data, index) => {
      this.stream.write({ message: 'snapshot', snapshot: { version: snapshot.version, hash: snapshot.hash, index, count: chunks.length, data } });
    });
    this.sentVersion = snapshot.version;
    this.pendingDelta = null;
    this.synced = true;
  }

  sendDelta(delta: Delta): void {
    this.stream.write({ message: 'delta', delta });
    this.sentVersion = delta.to_version;
    this.pendingDelta = delta.to_version;
    this.synced = true;
  }
}
