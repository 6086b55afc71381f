import { bundledPlugin } from '../bundled-plugin';
import { rateLimitingHandler } from './handler';
import { rateLimitingSchema } from './schema';

export { rateLimitingSchema } from './schema';
export { rateLimitingHandler, type RateLimitingConfig } from './handler';
export { RATE_PERIODS, windowsAt, type RatePeriod, type RateWindow } from './rate-windows';
export const rateLimitingPlugin = bundledPlugin(rateLimitingSchema, rateLimitingHandler);
