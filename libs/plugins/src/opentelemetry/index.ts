import { bundledPlugin } from '../bundled-plugin';
import { openTelemetryHandler } from './handler';
import { openTelemetrySchema } from './schema';

export { openTelemetrySchema } from './schema';
export { openTelemetryHandler, type OpenTelemetryConfig } from './handler';
export { parseTraceparent, parseB3, formatTraceparent, sampledByRate, type TraceContext } from './trace-context';
export const openTelemetryPlugin = bundledPlugin(openTelemetrySchema, openTelemetryHandler);
