import { bundledPlugin } from '../bundled-plugin';
import { basicAuthHandler } from './handler';
import { basicAuthSchema } from './schema';

export { basicAuthSchema } from './schema';
export { basicAuthHandler, type BasicAuthConfig } from './handler';
export { hashFilePassword } from './password-hash';
export const basicAuthPlugin = bundledPlugin(basicAuthSchema, basicAuthHandler);
