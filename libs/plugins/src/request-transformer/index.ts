import { bundledPlugin } from '../bundled-plugin';
import { requestTransformerHandler } from './handler';
import { requestTransformerSchema } from './schema';

export { requestTransformerSchema } from './schema';
export { requestTransformerHandler, type RequestTransformerConfig } from './handler';
export const requestTransformerPlugin = bundledPlugin(requestTransformerSchema, requestTransformerHandler);
