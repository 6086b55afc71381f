export { createTestSchema, TEST_DATABASE_URL, type TestSchema } from './postgres-fixture';
export { startTestControlPlane, testControlPlaneSettings, type TestControlPlane, type TestControlPlaneOptions } from './control-plane-fixture';
export { adminClient, type AdminClient, type AdminResponse } from './admin-client';
export { waitFor } from './wait-for';
export { deleteRedisKeys, TEST_REDIS_URL, testRedisPrefix } from './redis-fixture';
export { TcpRelay } from './tcp-relay';
export { freePort, startPlatformProcess, type PlatformProcess } from './platform-process';
