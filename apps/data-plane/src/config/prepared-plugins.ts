import { chunkSteps, runSteps, type ConfigEntityError, type FieldErrors, type Plugin, type Steps } from '@tollgate/config';
import { findPluginHandler, findPluginSchema, PluginConfigError, validatePluginConfig, type AnyPluginHandler } from '@tollgate/plugins';

/** One enabled plugin instance, validated and prepared once per config. */
export interface PreparedPlugin {
  readonly plugin: Plugin;
  readonly handler: AnyPluginHandler;
  /** What the handler's `prepare` returned (the validated config when it has none). */
  readonly config: unknown;
  /** The instance's `protocols` allow plain http / https requests. */
  readonly http: boolean;
  readonly https: boolean;
}

export interface PreparedPlugins {
  readonly byId: ReadonlyMap<string, PreparedPlugin>;
  readonly errors: readonly ConfigEntityError[];
}

/** Flattens nested field errors into one error per dotted field, as a Nack names them. */
function fieldErrors(plugin: Plugin, errors: FieldErrors, prefix = ''): ConfigEntityError[] {
  const out: ConfigEntityError[] = [];
  for (const [key, node] of Object.entries(errors)) {
    const field = key === '@entity' ? prefix.replace(/\.$/, '') || 'config' : `${prefix}${key}`;
    if (typeof node === 'string') out.push({ entity: 'plugins', id: plugin.id, field, message: node });
    else if (Array.isArray(node)) out.push({ entity: 'plugins', id: plugin.id, field, message: node.join(', ') });
    else out.push(...fieldErrors(plugin, node, `${field}.`));
  }
  return out;
}

function refusal(plugin: Plugin, field: string, message: string): ConfigEntityError {
  return { entity: 'plugins', id: plugin.id, field, message };
}

function prepareOne(plugin: Plugin): PreparedPlugin | ConfigEntityError[] | null {
  const schema = findPluginSchema(plugin.name);
  if (!schema) return [refusal(plugin, 'name', `plugin '${plugin.name}' is unknown to this data plane`)];
  const { value, errors } = validatePluginConfig(plugin.name, plugin.config);
  if (errors) return fieldErrors(plugin, errors);
  if (schema.no_consumer && plugin.consumer) {
    return [refusal(plugin, 'consumer', `plugin '${plugin.name}' cannot be scoped to a consumer`)];
  }
  if (!plugin.enabled) return null;
  const handler = findPluginHandler(plugin.name);
  if (!handler) return [refusal(plugin, 'name', `plugin '${plugin.name}' is not available on this data plane`)];
  try {
    const config = handler.prepare ? handler.prepare(value, plugin) : value;
    const protocols = plugin.protocols ?? schema.protocols;
    return { plugin, handler, config, http: protocols.includes('http'), https: protocols.includes('https') };
  } catch (error) {
    if (error instanceof PluginConfigError) return [refusal(plugin, error.field, error.message)];
    throw error;
  }
}

/**
 * Checks every plugin's config against its schema and prepares the enabled ones. A disabled
 * instance is still validated (a Nack should not wait for someone to enable it) but needs no
 * handler here, since it never runs.
 */
export function preparePlugins(plugins: readonly Plugin[]): PreparedPlugins {
  return runSteps(preparePluginsSteps(plugins));
}

/** preparePlugins in steps (see Steps). */
export function* preparePluginsSteps(plugins: readonly Plugin[]): Steps<PreparedPlugins> {
  const byId = new Map<string, PreparedPlugin>();
  const errors: ConfigEntityError[] = [];
  yield* chunkSteps(plugins.length, (from, to) => {
    for (let i = from; i < to; i++) {
      const plugin = plugins[i]!;
      const result = prepareOne(plugin);
      if (Array.isArray(result)) errors.push(...result);
      else if (result !== null) byId.set(plugin.id, result);
    }
  });
  return { byId, errors };
}
