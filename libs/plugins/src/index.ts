export type { PluginPhase, PluginSchema } from './plugin-schema';
export { type BundledPlugin, bundledPlugin } from './bundled-plugin';
export { pluginSchemas, findPluginSchema, availablePlugins, pluginHandlers, findPluginHandler } from './registry';
export { validatePluginConfig } from './validate-plugin-config';
export * from './plugin-handler';
export { PluginConfigError } from './plugin-config-error';
export { keyAuthSchema, keyAuthHandler, keyAuthPlugin } from './key-auth';
export { rateLimitingSchema, rateLimitingHandler, rateLimitingPlugin, RATE_PERIODS, windowsAt, type RateWindow } from './rate-limiting';
// Schemas waiting for a data-plane handler: not bundled, so the admin API refuses them.
export { aclSchema } from './acl';
export { basicAuthSchema } from './basic-auth';
export { correlationIdSchema } from './correlation-id';
export { corsSchema } from './cors';
export { ipRestrictionSchema } from './ip-restriction';
export { jwtSchema } from './jwt';
export { requestSizeLimitingSchema } from './request-size-limiting';
export { requestTransformerSchema } from './request-transformer';
export { responseTransformerSchema } from './response-transformer';
