import { startControlPlane, type ControlPlaneSettings, type RunningControlPlane } from '@tollgate/control-plane';
import type { ClusterTlsFiles } from '@tollgate/protocol';
import { createTestSchema, type TestSchema } from './postgres-fixture';

export interface TestControlPlane extends RunningControlPlane {
  readonly schema: TestSchema;
  /** Stops the control plane and drops its schema. */
  stop(): Promise<void>;
}

export interface TestControlPlaneOptions {
  /** Cluster TLS; plain text unless a test is about mTLS. */
  readonly clusterTls?: ClusterTlsFiles;
  /** Reuse a schema (a second replica on the same database). */
  readonly schema?: TestSchema;
}

export function testControlPlaneSettings(schema: TestSchema, options: TestControlPlaneOptions = {}): ControlPlaneSettings {
  return {
    databaseUrl: schema.databaseUrl,
    databaseSchema: schema.name,
    adminHost: '127.0.0.1',
    adminPort: 0,
    clusterHost: '127.0.0.1',
    clusterPort: 0,
    clusterTls: options.clusterTls ?? { mode: 'off' },
    retainedVersions: 10_000,
    devCertificateDir: '.tollgate/test-cluster',
    logLevel: 'silent',
  };
}

/** A control plane in-process on free loopback ports, on a fresh Postgres schema. */
export async function startTestControlPlane(suite: string, options: TestControlPlaneOptions = {}): Promise<TestControlPlane> {
  const schema = options.schema ?? (await createTestSchema(suite));
  const running = await startControlPlane(testControlPlaneSettings(schema, options), { coalescing: { quietMs: 5, maxDelayMs: 50 } });
  return {
    ...running,
    schema,
    async stop() {
      await running.close();
      if (!options.schema) await schema.drop();
    },
  };
}
