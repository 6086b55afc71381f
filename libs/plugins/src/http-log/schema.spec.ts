import { validatePluginConfig } from '../validate-plugin-config';

// Kong spec/03-plugins/03-http-log/02-schema_spec.lua, translated.
describe('http-log schema', () => {
  it('fills Kong\'s defaults, queue included', () => {
    const { value, errors } = validatePluginConfig('http-log', { http_endpoint: 'http://logs.example/x' });
    expect(errors).toBeNull();
    expect(value).toMatchObject({
      method: 'POST',
      content_type: 'application/json',
      timeout: 10000,
      keepalive: 60000,
      queue: { max_batch_size: 1, max_coalescing_delay: 1, max_entries: 10000, max_bytes: null, max_retry_time: 60, initial_retry_delay: 0.01, max_retry_delay: 60, concurrency_limit: 1 },
    });
  });

  // it("accepts minimal config") / it("does not accept empty config")
  it('requires http_endpoint and accepts a minimal config', () => {
    expect(validatePluginConfig('http-log', {}).errors).toEqual({ config: { http_endpoint: 'required field missing' } });
  });

  // it("does not accept Host header") and the Content-Type / Content-Length variants
  it('refuses Host, Content-Length and Content-Type headers', () => {
    for (const name of ['Host', 'Content-Length', 'content-type']) {
      const { errors } = validatePluginConfig('http-log', { http_endpoint: 'http://x.example', headers: { [name]: 'v' } });
      expect(errors).toEqual({ config: { headers: { [name]: `cannot contain '${name}' header` } } });
    }
  });

  it('refuses unknown fields and custom_fields_by_lua code, naming the field', () => {
    expect(validatePluginConfig('http-log', { http_endpoint: 'http://x.example', nope: 1 }).errors).toEqual({ config: { nope: 'unknown field' } });
    expect(validatePluginConfig('http-log', { http_endpoint: 'http://x.example', queue: { max_batch: 1 } }).errors).toEqual({ config: { queue: { max_batch: 'unknown field' } } });
    const lua = validatePluginConfig('http-log', { http_endpoint: 'http://x.example', custom_fields_by_lua: { foo: 'return 1' } });
    expect(lua.errors).toEqual({ config: { custom_fields_by_lua: { foo: expect.stringContaining('Lua code is not supported') } } });
    expect(validatePluginConfig('http-log', { http_endpoint: 'http://x.example', custom_fields_by_lua: {} }).errors).toBeNull();
  });

  it('maps Kong\'s deprecated queue_size and flush_timeout onto the queue', () => {
    const { value } = validatePluginConfig('http-log', { http_endpoint: 'http://x.example', queue_size: 20, flush_timeout: 5 });
    expect(value.queue).toMatchObject({ max_batch_size: 20, max_coalescing_delay: 5 });
  });

  it('checks queue ranges', () => {
    const { errors } = validatePluginConfig('http-log', { http_endpoint: 'http://x.example', queue: { max_batch_size: 0, concurrency_limit: 2 } });
    expect(errors).toEqual({ config: { queue: { max_batch_size: 'value should be between 1 and 1000000', concurrency_limit: 'expected one of: -1, 1' } } });
  });
});
