export { ipRestrictionSchema } from './schema';
