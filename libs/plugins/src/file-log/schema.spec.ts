import { validatePluginConfig } from '../validate-plugin-config';

// Kong spec/03-plugins/04-file-log/02-schema_spec.lua, translated.
describe('file-log and tcp-log schemas', () => {
  it('file-log: requires a valid path and defaults reopen to false', () => {
    expect(validatePluginConfig('file-log', { path: '/tmp/log.txt' })).toEqual({ value: { path: '/tmp/log.txt', reopen: false, custom_fields_by_lua: null }, errors: null });
    expect(validatePluginConfig('file-log', {}).errors).toEqual({ config: { path: 'required field missing' } });
    for (const path of ['/ema*il', ' /tmp/x', '/tmp/x ', '/tmp/a&b', '/tmp/a%b', '/tmp/a`b']) {
      expect(validatePluginConfig('file-log', { path }).errors).toEqual({ config: { path: 'not a valid filename' } });
    }
  });

  it('file-log and tcp-log refuse Lua code and unknown fields, naming the field', () => {
    expect(validatePluginConfig('file-log', { path: '/tmp/x', custom_fields_by_lua: { a: 'return 1' } }).errors).toEqual({
      config: { custom_fields_by_lua: { a: expect.stringContaining('Lua code is not supported') } },
    });
    expect(validatePluginConfig('tcp-log', { host: 'logs.example', port: 5000, queue: {} }).errors).toEqual({ config: { queue: 'unknown field' } });
  });

  it('tcp-log: requires host and port and fills Kong\'s defaults', () => {
    expect(validatePluginConfig('tcp-log', { host: 'logs.example', port: 5000 }).value).toEqual({
      host: 'logs.example',
      port: 5000,
      timeout: 10000,
      keepalive: 60000,
      tls: false,
      tls_sni: null,
      custom_fields_by_lua: null,
    });
    expect(validatePluginConfig('tcp-log', {}).errors).toEqual({ config: { host: 'required field missing', port: 'required field missing' } });
    expect(validatePluginConfig('tcp-log', { host: 'logs.example', port: 70000 }).errors).toEqual({ config: { port: 'value should be between 0 and 65535' } });
  });
});
