export { createTestSchema, TEST_DATABASE_URL, type TestSchema } from './postgres-fixture';
export { startTestControlPlane, type TestControlPlane } from './control-plane-fixture';
