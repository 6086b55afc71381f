import { startControlPlane, type ControlPlaneSettings, type RunningControlPlane, type StartOptions } from '@tollgate/control-plane';
import type { ClusterTlsFiles } from '@tollgate/protocol';
import { createTestSchema, type TestSchema } from './postgres-fixture';
import { deleteRedisKeys, TEST_REDIS_URL, testRedisPrefix } from './redis-fixture';

export interface TestControlPlane extends RunningControlPlane {
  readonly schema: TestSchema;
  /** This control plane's Redis key prefix (its usage queue lives under it); data planes reporting to it use the same. */
  readonly redisKeyPrefix: string;
  readonly redisUrl: string;
  /** Stops the control plane and drops its schema. */
  stop(): Promise<void>;
}

export interface TestControlPlaneOptions {
  /** Cluster TLS; plain text unless a test is about mTLS. */
  readonly clusterTls?: ClusterTlsFiles;
  /** Reuse a schema (a second replica on the same database). */
  readonly schema?: TestSchema;
  /** Redis key prefix; default a fresh one per suite (its keys are deleted on stop). Pass one to share a queue. */
  readonly redisKeyPrefix?: string;
  /** Default the test Redis; a dead address shows how the control plane does without one. */
  readonly redisUrl?: string;
  /** Usage batches applied at once; 0 runs no usage worker. Default 2. */
  readonly usageWorkerConcurrency?: number;
  readonly usageWorker?: StartOptions['usageWorker'];
  /** How often the usage roller runs; 0 runs none (a test then rolls with `UsageRoller.rollOnce`). Default 5 s, as deployed. */
  readonly usageRollIntervalMs?: number;
  /** TOLLGATE_ADMIN_BOOTSTRAP_TOKEN; default none. */
  readonly adminBootstrapToken?: string;
  /** Admin API host; default 127.0.0.1 (0.0.0.0 shows the refusal off loopback). */
  readonly adminHost?: string;
}

export function testControlPlaneSettings(schema: TestSchema, options: TestControlPlaneOptions = {}): ControlPlaneSettings {
  return {
    databaseUrl: schema.databaseUrl,
    databaseSchema: schema.name,
    adminHost: options.adminHost ?? '127.0.0.1',
    adminPort: 0,
    adminBootstrapToken: options.adminBootstrapToken ?? null,
    clusterHost: '127.0.0.1',
    clusterPort: 0,
    clusterTls: options.clusterTls ?? { mode: 'off' },
    retainedVersions: 10_000,
    devCertificateDir: '.tollgate/test-cluster',
    logLevel: 'silent',
    redisUrl: options.redisUrl ?? TEST_REDIS_URL,
    redisKeyPrefix: options.redisKeyPrefix ?? testRedisPrefix(schema.name),
    usageWorkerConcurrency: options.usageWorkerConcurrency ?? 2,
    usageLockMs: 30_000,
    usageRollIntervalMs: options.usageRollIntervalMs ?? 5000,
    usageMinuteRetentionMs: 48 * 3_600_000,
    usageBatchIdRetentionMs: 35 * 86_400_000,
  };
}

/** A control plane in-process on free loopback ports, on a fresh Postgres schema. */
export async function startTestControlPlane(suite: string, options: TestControlPlaneOptions = {}): Promise<TestControlPlane> {
  const schema = options.schema ?? (await createTestSchema(suite));
  const settings = testControlPlaneSettings(schema, options);
  const running = await startControlPlane(settings, { coalescing: { quietMs: 5, maxDelayMs: 50 }, usageWorker: options.usageWorker });
  return {
    ...running,
    schema,
    redisKeyPrefix: settings.redisKeyPrefix,
    redisUrl: settings.redisUrl,
    async stop() {
      await running.close();
      if (!options.redisKeyPrefix && !options.redisUrl) await deleteRedisKeys(settings.redisKeyPrefix);
      if (!options.schema) await schema.drop();
    },
  };
}
