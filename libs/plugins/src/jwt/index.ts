export { jwtSchema } from './schema';
