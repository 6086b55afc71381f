import type { AnyPluginHandler } from './plugin-handler';
import type { PluginSchema } from './plugin-schema';

/**
 * One plugin as its folder exports it: the schema both planes read and the handler the data plane
 * runs. A plugin is bundled only with both, so the admin API never accepts a plugin that no data
 * plane of this build can run.
 */
export interface BundledPlugin {
  readonly schema: PluginSchema;
  readonly handler: AnyPluginHandler;
}

/** Declares a plugin, checking that the handler is the schema's (same name, version, priority). */
export function bundledPlugin(schema: PluginSchema, handler: AnyPluginHandler): BundledPlugin {
  for (const key of ['name', 'version', 'priority'] as const) {
    if (schema[key] !== handler[key]) throw new Error(`plugin ${schema.name}: handler ${key} ${handler[key]} differs from schema ${schema[key]}`);
  }
  return Object.freeze({ schema, handler });
}
