import { bundledPlugin } from '../bundled-plugin';
import { fileLogHandler } from './handler';
import { fileLogSchema } from './schema';

export { fileLogSchema } from './schema';
export { fileLogHandler, type FileLogConfig } from './handler';
export const fileLogPlugin = bundledPlugin(fileLogSchema, fileLogHandler);
