import { bundledPlugin } from '../bundled-plugin';
import { responseTransformerHandler } from './handler';
import { responseTransformerSchema } from './schema';

export { responseTransformerSchema } from './schema';
export { responseTransformerHandler, type ResponseTransformerConfig } from './handler';
export const responseTransformerPlugin = bundledPlugin(responseTransformerSchema, responseTransformerHandler);
