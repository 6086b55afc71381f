export { keyAuthSchema } from './schema';
