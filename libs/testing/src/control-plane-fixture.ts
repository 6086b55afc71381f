import { startControlPlane, type RunningControlPlane } from '@tollgate/control-plane';
import { createTestSchema, type TestSchema } from './postgres-fixture';

export interface TestControlPlane extends RunningControlPlane {
  readonly schema: TestSchema;
  /** Stops the control plane and drops its schema. */
  stop(): Promise<void>;
}

/** A control plane in-process on a free loopback port, on a fresh Postgres schema. */
export async function startTestControlPlane(suite: string): Promise<TestControlPlane> {
  const schema = await createTestSchema(suite);
  const running = await startControlPlane({
    databaseUrl: schema.databaseUrl,
    databaseSchema: schema.name,
    adminHost: '127.0.0.1',
    adminPort: 0,
    logLevel: 'silent',
  });
  return {
    ...running,
    schema,
    async stop() {
      await running.close();
      await schema.drop();
    },
  };
}
