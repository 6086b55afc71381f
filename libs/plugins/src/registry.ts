import { aclSchema } from './acl';
import { basicAuthSchema } from './basic-auth';
import type { BundledPlugin } from './bundled-plugin';
import { correlationIdSchema } from './correlation-id';
import { corsSchema } from './cors';
import { ipRestrictionSchema } from './ip-restriction';
import { jwtSchema } from './jwt';
import { keyAuthPlugin } from './key-auth';
import type { AnyPluginHandler } from './plugin-handler';
import type { PluginSchema } from './plugin-schema';
import { rateLimitingPlugin } from './rate-limiting';
import { requestSizeLimitingSchema } from './request-size-limiting';
import { requestTransformerSchema } from './request-transformer';
import { responseTransformerSchema } from './response-transformer';

/**
 * The one list of bundled plugins: adding a plugin is adding its folder and one line here. The
 * admin API, `/plugins/enabled`, `/` and `/schemas/plugins` all read it, and so does the data plane,
 * so what is accepted is exactly what runs.
 */
const BUNDLED: readonly BundledPlugin[] = [keyAuthPlugin, rateLimitingPlugin];

/**
 * TRANSITIONAL: schemas whose data-plane handler is being written. They validate, but a data plane
 * does not advertise them, so the control plane refuses a write of one while a data plane of the
 * region is connected (see the control plane's plugin-availability check). Each moves to BUNDLED
 * with its handler; this list must end empty.
 */
const SCHEMA_ONLY: readonly PluginSchema[] = [
  aclSchema,
  basicAuthSchema,
  correlationIdSchema,
  corsSchema,
  ipRestrictionSchema,
  jwtSchema,
  requestSizeLimitingSchema,
  requestTransformerSchema,
  responseTransformerSchema,
];

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** Every bundled plugin's schema by name; the schemas are deeply frozen. */
export const pluginSchemas: ReadonlyMap<string, PluginSchema> = new Map(
  [...BUNDLED.map((p) => p.schema), ...SCHEMA_ONLY].map((schema) => [schema.name, deepFreeze(schema)]),
);

/** Every bundled plugin's data-plane handler by name. */
export const pluginHandlers: ReadonlyMap<string, AnyPluginHandler> = new Map(BUNDLED.map((p) => [p.handler.name, Object.freeze(p.handler)]));

const NAMES: readonly string[] = Object.freeze([...pluginSchemas.keys()].sort());

export function findPluginSchema(name: string): PluginSchema | undefined {
  return pluginSchemas.get(name);
}

export function findPluginHandler(name: string): AnyPluginHandler | undefined {
  return pluginHandlers.get(name);
}

/** Names of the bundled plugins, sorted. */
export function availablePlugins(): readonly string[] {
  return NAMES;
}
