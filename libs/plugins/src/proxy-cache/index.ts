import { bundledPlugin } from '../bundled-plugin';
import { proxyCacheHandler } from './handler';
import { proxyCacheSchema } from './schema';

export { proxyCacheSchema } from './schema';
export { proxyCacheHandler, type ProxyCacheConfig } from './handler';
export { MemoryCache, processCache } from './memory-cache';
export const proxyCachePlugin = bundledPlugin(proxyCacheSchema, proxyCacheHandler);
