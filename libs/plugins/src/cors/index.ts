export { corsSchema } from './schema';
