import { keyAuthHandler } from './key-auth';
import type { AnyPluginHandler } from './plugin-handler';
import { rateLimitingHandler } from './rate-limiting';

/**
 * Handlers this build of the data plane can run, by plugin name. A plugin with a schema but no
 * handler here is refused when a config uses it (the data plane keeps its last good config), so a
 * control plane never gets an Ack for a plugin that would silently not run.
 */
const HANDLERS: readonly AnyPluginHandler[] = [keyAuthHandler, rateLimitingHandler];

export const pluginHandlers: ReadonlyMap<string, AnyPluginHandler> = new Map(HANDLERS.map((h) => [h.name, Object.freeze(h)]));

export function findPluginHandler(name: string): AnyPluginHandler | undefined {
  return pluginHandlers.get(name);
}
