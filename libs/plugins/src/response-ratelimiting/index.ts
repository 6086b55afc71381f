import { bundledPlugin } from '../bundled-plugin';
import { responseRatelimitingHandler } from './handler';
import { responseRatelimitingSchema } from './schema';

export { responseRatelimitingSchema } from './schema';
export { responseRatelimitingHandler, type ResponseRatelimitingConfig } from './handler';
export const responseRatelimitingPlugin = bundledPlugin(responseRatelimitingSchema, responseRatelimitingHandler);
