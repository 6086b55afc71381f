import { bundledPlugin } from '../bundled-plugin';
import { requestTerminationHandler } from './handler';
import { requestTerminationSchema } from './schema';

export { requestTerminationSchema } from './schema';
export { requestTerminationHandler, type RequestTerminationConfig } from './handler';
export const requestTerminationPlugin = bundledPlugin(requestTerminationSchema, requestTerminationHandler);
