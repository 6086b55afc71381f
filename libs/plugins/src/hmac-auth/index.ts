import { bundledPlugin } from '../bundled-plugin';
import { hmacAuthHandler } from './handler';
import { hmacAuthSchema } from './schema';

export { hmacAuthSchema } from './schema';
export { hmacAuthHandler, type HmacAuthConfig } from './handler';
export const hmacAuthPlugin = bundledPlugin(hmacAuthSchema, hmacAuthHandler);
