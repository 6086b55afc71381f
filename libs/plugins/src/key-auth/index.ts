import { bundledPlugin } from '../bundled-plugin';
import { keyAuthHandler } from './handler';
import { keyAuthSchema } from './schema';

export { keyAuthSchema } from './schema';
export { keyAuthHandler, type KeyAuthConfig } from './handler';
export const keyAuthPlugin = bundledPlugin(keyAuthSchema, keyAuthHandler);
