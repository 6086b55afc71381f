import { aclPlugin } from './acl';
import { basicAuthPlugin } from './basic-auth';
import { botDetectionPlugin } from './bot-detection';
import type { BundledPlugin } from './bundled-plugin';
import { correlationIdPlugin } from './correlation-id';
import { corsPlugin } from './cors';
import { fileLogPlugin } from './file-log';
import { hmacAuthPlugin } from './hmac-auth';
import { httpLogPlugin } from './http-log';
import { ipRestrictionPlugin } from './ip-restriction';
import { jwtPlugin } from './jwt';
import { keyAuthPlugin } from './key-auth';
import { openTelemetryPlugin } from './opentelemetry';
import type { AnyPluginHandler } from './plugin-handler';
import type { PluginSchema } from './plugin-schema';
import { prometheusPlugin } from './prometheus';
import { proxyCachePlugin } from './proxy-cache';
import { rateLimitingPlugin } from './rate-limiting';
import { requestSizeLimitingPlugin } from './request-size-limiting';
import { requestTerminationPlugin } from './request-termination';
import { requestTransformerPlugin } from './request-transformer';
import { responseRatelimitingPlugin } from './response-ratelimiting';
import { responseTransformerPlugin } from './response-transformer';
import { tcpLogPlugin } from './tcp-log';

/**
 * The one list of bundled plugins: adding a plugin is adding its folder and one line here. The
 * admin API, `/plugins/enabled`, `/` and `/schemas/plugins` all read it, and so does the data plane,
 * so what is accepted is exactly what runs.
 */
const BUNDLED: readonly BundledPlugin[] = [
  keyAuthPlugin,
  rateLimitingPlugin,
  basicAuthPlugin,
  jwtPlugin,
  aclPlugin,
  ipRestrictionPlugin,
  requestTerminationPlugin,
  botDetectionPlugin,
  hmacAuthPlugin,
  corsPlugin,
  correlationIdPlugin,
  requestSizeLimitingPlugin,
  requestTransformerPlugin,
  responseTransformerPlugin,
  responseRatelimitingPlugin,
  proxyCachePlugin,
  httpLogPlugin,
  prometheusPlugin,
  fileLogPlugin,
  tcpLogPlugin,
  openTelemetryPlugin,
];

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** Every bundled plugin's schema by name; the schemas are deeply frozen. */
export const pluginSchemas: ReadonlyMap<string, PluginSchema> = new Map(BUNDLED.map((p) => [p.schema.name, deepFreeze(p.schema)]));

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
