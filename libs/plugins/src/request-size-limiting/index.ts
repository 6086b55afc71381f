export { requestSizeLimitingSchema } from './schema';
