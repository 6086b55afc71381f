import { bundledPlugin } from '../bundled-plugin';
import { correlationIdHandler } from './handler';
import { correlationIdSchema } from './schema';

export { correlationIdSchema } from './schema';
export { correlationIdHandler, type CorrelationIdConfig } from './handler';
export const correlationIdPlugin = bundledPlugin(correlationIdSchema, correlationIdHandler);
