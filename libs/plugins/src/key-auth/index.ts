export { keyAuthSchema } from './schema';
export { keyAuthHandler, type KeyAuthConfig } from './handler';
