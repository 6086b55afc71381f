export { responseTransformerSchema } from './schema';
