import { pluginFor, type PluginSlot } from '../config/plugin-chains';
import type { PreparedPlugin } from '../config/prepared-plugins';
import type { RequestContext } from '../proxy/request-context';

/** Handlers are typed to return void or a promise; anything else (a stray arrow result) is ignored. */
function isPending(result: unknown): result is Promise<void> {
  return result !== undefined && result !== null && typeof (result as Promise<void>).then === 'function';
}

/**
 * Runs a chain's access phase from `from`: synchronously while plugins return nothing, so a chain
 * of synchronous plugins allocates no promise; the first plugin that returns one (it waits on
 * I/O) continues the chain when it settles. Stops at the first plugin that exits. The consumer-
 * scoped instance of each plugin is looked up as it runs, after the authentication plugins
 * before it (higher priority) have set the consumer.
 */
export function runAccessPhase(ctx: RequestContext, slots: readonly PluginSlot[], from = 0): Promise<void> | undefined {
  const https = ctx.scheme === 'https';
  for (let i = from; i < slots.length; i++) {
    const slot = slots[i]!;
    const plugin = pluginFor(slot, ctx.consumerPlugins);
    if (plugin === null || !(https ? plugin.https : plugin.http)) continue;
    const pending: unknown = slot.handler.access!(ctx, plugin.config);
    if (!isPending(pending)) {
      if (ctx.exitResponse !== null) return undefined;
      continue;
    }
    return pending.then(() => (ctx.exitResponse !== null ? undefined : runAccessPhase(ctx, slots, i + 1)));
  }
  return undefined;
}

/** Rewrite phase of the global plugins, before routing; same rules as the access phase. */
export function runRewritePhase(ctx: RequestContext, plugins: readonly PreparedPlugin[], from = 0): Promise<void> | undefined {
  const https = ctx.scheme === 'https';
  for (let i = from; i < plugins.length; i++) {
    const plugin = plugins[i]!;
    if (!(https ? plugin.https : plugin.http)) continue;
    const pending: unknown = plugin.handler.rewrite!(ctx, plugin.config);
    if (!isPending(pending)) {
      if (ctx.exitResponse !== null) return undefined;
      continue;
    }
    return pending.then(() => (ctx.exitResponse !== null ? undefined : runRewritePhase(ctx, plugins, i + 1)));
  }
  return undefined;
}

/** Response phase: synchronous, before the response head goes to the client. */
export function runResponsePhase(ctx: RequestContext, slots: readonly PluginSlot[]): void {
  const https = ctx.scheme === 'https';
  for (let i = 0; i < slots.length; i++) {
    const slot = slots[i]!;
    const plugin = pluginFor(slot, ctx.consumerPlugins);
    if (plugin !== null && (https ? plugin.https : plugin.http)) slot.handler.response!(ctx, plugin.config);
  }
}

/**
 * Response-body phase over the whole upstream body (only reached when a plugin asked for it):
 * each plugin gets the body the previous one returned.
 */
export function runResponseBodyPhase(ctx: RequestContext, slots: readonly PluginSlot[], body: Buffer): Buffer {
  const https = ctx.scheme === 'https';
  for (let i = 0; i < slots.length; i++) {
    const slot = slots[i]!;
    const plugin = pluginFor(slot, ctx.consumerPlugins);
    if (plugin !== null && (https ? plugin.https : plugin.http)) body = slot.handler.responseBody!(ctx, plugin.config, body) ?? body;
  }
  return body;
}

/** Log phase, after the response: a failing log handler must not affect the next one. */
export function runLogPhase(ctx: RequestContext, slots: readonly PluginSlot[], onError: (error: unknown, slot: PluginSlot) => void): void {
  const https = ctx.scheme === 'https';
  for (let i = 0; i < slots.length; i++) {
    const slot = slots[i]!;
    const plugin = pluginFor(slot, ctx.consumerPlugins);
    if (plugin === null || !(https ? plugin.https : plugin.http)) continue;
    try {
      slot.handler.log!(ctx, plugin.config);
    } catch (error) {
      onError(error, slot);
    }
  }
}

/** Log phase of the global plugins for a call no route matched (no chain: the list is the config's). */
export function runUnroutedLogPhase(ctx: RequestContext, plugins: readonly PreparedPlugin[], onError: (error: unknown, name: string) => void): void {
  const https = ctx.scheme === 'https';
  for (let i = 0; i < plugins.length; i++) {
    const plugin = plugins[i]!;
    if (!(https ? plugin.https : plugin.http)) continue;
    try {
      plugin.handler.log!(ctx, plugin.config);
    } catch (error) {
      onError(error, plugin.plugin.name);
    }
  }
}
