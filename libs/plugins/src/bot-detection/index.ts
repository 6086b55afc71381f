import { bundledPlugin } from '../bundled-plugin';
import { botDetectionHandler } from './handler';
import { botDetectionSchema } from './schema';

export { botDetectionSchema } from './schema';
export { botDetectionHandler, type BotDetectionConfig } from './handler';
export const botDetectionPlugin = bundledPlugin(botDetectionSchema, botDetectionHandler);
