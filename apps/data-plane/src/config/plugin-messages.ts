import { findPluginHandler } from '@tollgate/plugins';

/**
 * A control-plane message for one plugin (a proxy-cache purge), handed to its handler in this
 * process; unknown plugins and handlers without a `message` hook ignore it.
 */
export function deliverPluginMessage(plugin: string, payload: unknown): boolean {
  const handler = findPluginHandler(plugin);
  if (handler?.message === undefined) return false;
  handler.message(payload);
  return true;
}
