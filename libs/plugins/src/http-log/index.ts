import { bundledPlugin } from '../bundled-plugin';
import { httpLogHandler } from './handler';
import { httpLogSchema } from './schema';

export { httpLogSchema } from './schema';
export { httpLogHandler, type HttpLogConfig } from './handler';
export const httpLogPlugin = bundledPlugin(httpLogSchema, httpLogHandler);
