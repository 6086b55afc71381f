import { bundledPlugin } from '../bundled-plugin';
import { corsHandler } from './handler';
import { corsSchema } from './schema';

export { corsSchema } from './schema';
export { corsHandler, type CorsConfig } from './handler';
export const corsPlugin = bundledPlugin(corsSchema, corsHandler);
