import { bundledPlugin } from '../bundled-plugin';
import { jwtHandler } from './handler';
import { jwtSchema } from './schema';

export { jwtSchema } from './schema';
export { jwtHandler, type JwtConfig } from './handler';
export const jwtPlugin = bundledPlugin(jwtSchema, jwtHandler);
