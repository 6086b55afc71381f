import { bundledPlugin } from '../bundled-plugin';
import { aclHandler } from './handler';
import { aclSchema } from './schema';

export { aclSchema } from './schema';
export { aclHandler, type AclConfig } from './handler';
export const aclPlugin = bundledPlugin(aclSchema, aclHandler);
