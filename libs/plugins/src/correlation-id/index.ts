export { correlationIdSchema } from './schema';
