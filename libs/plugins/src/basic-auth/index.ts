export { basicAuthSchema } from './schema';
