import { bundledPlugin } from '../bundled-plugin';
import { requestSizeLimitingHandler } from './handler';
import { requestSizeLimitingSchema } from './schema';

export { requestSizeLimitingSchema } from './schema';
export { requestSizeLimitingHandler, type RequestSizeLimitingConfig } from './handler';
export const requestSizeLimitingPlugin = bundledPlugin(requestSizeLimitingSchema, requestSizeLimitingHandler);
