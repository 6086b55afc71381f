export { requestTransformerSchema } from './schema';
