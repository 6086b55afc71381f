export { aclSchema } from './schema';
