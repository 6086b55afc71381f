import { aclSchema } from './acl';
import { basicAuthSchema } from './basic-auth';
import { correlationIdSchema } from './correlation-id';
import { corsSchema } from './cors';
import { ipRestrictionSchema } from './ip-restriction';
import { jwtSchema } from './jwt';
import { keyAuthSchema } from './key-auth';
import type { PluginSchema } from './plugin-schema';
import { rateLimitingSchema } from './rate-limiting';
import { requestSizeLimitingSchema } from './request-size-limiting';
import { requestTransformerSchema } from './request-transformer';
import { responseTransformerSchema } from './response-transformer';

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

const BUNDLED: readonly PluginSchema[] = [
  correlationIdSchema,
  corsSchema,
  jwtSchema,
  keyAuthSchema,
  basicAuthSchema,
  ipRestrictionSchema,
  requestSizeLimitingSchema,
  aclSchema,
  rateLimitingSchema,
  requestTransformerSchema,
  responseTransformerSchema,
];

/** Every bundled plugin's schema by name; the schemas are deeply frozen. */
export const pluginSchemas: ReadonlyMap<string, PluginSchema> = new Map(
  BUNDLED.map((schema) => [schema.name, deepFreeze(schema)]),
);

const NAMES: readonly string[] = Object.freeze([...pluginSchemas.keys()].sort());

export function findPluginSchema(name: string): PluginSchema | undefined {
  return pluginSchemas.get(name);
}

/** Names of the bundled plugins, sorted. */
export function availablePlugins(): readonly string[] {
  return NAMES;
}
