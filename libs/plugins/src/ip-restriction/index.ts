import { bundledPlugin } from '../bundled-plugin';
import { ipRestrictionHandler } from './handler';
import { ipRestrictionSchema } from './schema';

export { ipRestrictionSchema } from './schema';
export { ipRestrictionHandler, type IpRestrictionConfig } from './handler';
export const ipRestrictionPlugin = bundledPlugin(ipRestrictionSchema, ipRestrictionHandler);
