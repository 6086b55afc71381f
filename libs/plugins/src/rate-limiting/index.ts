export { rateLimitingSchema } from './schema';
export { rateLimitingHandler, type RateLimitingConfig } from './handler';
export { RATE_PERIODS, windowsAt, type RatePeriod, type RateWindow } from './rate-windows';
