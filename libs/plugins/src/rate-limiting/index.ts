export { rateLimitingSchema } from './schema';
