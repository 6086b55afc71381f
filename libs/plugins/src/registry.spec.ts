import type { FieldMap } from '@tollgate/config';
import { availablePlugins, findPluginSchema, pluginSchemas } from './index';

function undescribed(fields: FieldMap, prefix = ''): string[] {
  return Object.entries(fields).flatMap(([name, field]) => [
    ...(field.description ? [] : [prefix + name]),
    ...(field.fields ? undescribed(field.fields, `${prefix}${name}.`) : []),
  ]);
}

describe('plugin registry', () => {
  it('lists the bundled plugins sorted by name', () => {
    expect(availablePlugins()).toEqual([
      'acl',
      'basic-auth',
      'bot-detection',
      'correlation-id',
      'cors',
      'file-log',
      'hmac-auth',
      'http-log',
      'ip-restriction',
      'jwt',
      'key-auth',
      'opentelemetry',
      'prometheus',
      'proxy-cache',
      'rate-limiting',
      'request-size-limiting',
      'request-termination',
      'request-transformer',
      'response-ratelimiting',
      'response-transformer',
      'tcp-log',
    ]);
  });

  it("carries Kong's priorities", () => {
    const priorities = Object.fromEntries([...pluginSchemas.values()].map((s) => [s.name, s.priority]));
    expect(priorities).toEqual({
      'correlation-id': 100001,
      'bot-detection': 2500,
      cors: 2000,
      jwt: 1450,
      'key-auth': 1250,
      'basic-auth': 1100,
      'hmac-auth': 1030,
      'ip-restriction': 990,
      'request-size-limiting': 951,
      acl: 950,
      'rate-limiting': 910,
      'response-ratelimiting': 900,
      'request-transformer': 801,
      'response-transformer': 800,
      'request-termination': 2,
      'proxy-cache': 100,
      opentelemetry: 14,
      prometheus: 13,
      'http-log': 12,
      'file-log': 9,
      'tcp-log': 7,
    });
  });

  it('finds a schema by name and nothing for an unknown one', () => {
    expect(findPluginSchema('key-auth')?.no_consumer).toBe(true);
    expect(findPluginSchema('rate-limiting')?.no_consumer).toBeUndefined();
    expect(findPluginSchema('constructor')).toBeUndefined();
  });

  it('describes every field, nested ones included', () => {
    for (const schema of pluginSchemas.values()) expect([schema.name, undescribed(schema.config)]).toEqual([schema.name, []]);
  });

  it('freezes schemas so a caller cannot change a default for everyone', () => {
    const keyNames = findPluginSchema('key-auth')!.config.key_names!;
    expect(() => (keyNames.default as string[]).push('x-api-key')).toThrow(TypeError);
    expect(Object.isFrozen(findPluginSchema('rate-limiting')!.config.redis!.fields)).toBe(true);
  });
});
