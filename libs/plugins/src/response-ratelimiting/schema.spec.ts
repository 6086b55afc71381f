import { validatePluginConfig } from '../validate-plugin-config';

// spec/03-plugins/24-response-rate-limiting/01-schema_spec.lua
describe('response-ratelimiting schema', () => {
  it("fills Kong's defaults around the limits", () => {
    const { value, errors } = validatePluginConfig('response-ratelimiting', { limits: { video: { minute: 10 } } });
    expect(errors).toBeNull();
    expect(value).toMatchObject({ header_name: 'x-kong-limit', limit_by: 'consumer', policy: 'local', fault_tolerant: true, block_on_first_violation: false, hide_client_headers: false });
  });

  // it("proper config validates") / it("invalid limits") / it("limits: \"need at least one limit\"")
  it('refuses a limit with no period, a non-positive one, and an unknown period', () => {
    const { errors } = validatePluginConfig('response-ratelimiting', { limits: { video: {}, image: { minute: 0 }, sms: { week: 1 } } });
    expect(errors).toMatchObject({
      config: {
        limits: {
          video: { '@entity': [expect.stringContaining('at least one of these fields must be non-empty')] },
          image: { minute: expect.any(String) },
          sms: { week: 'unknown field' },
        },
      },
    });
  });

  it('refuses a config without limits', () => {
    expect(validatePluginConfig('response-ratelimiting', {}).errors).toMatchObject({ config: { limits: expect.any(String) } });
    expect(validatePluginConfig('response-ratelimiting', { limits: {} }).errors).toEqual({ config: { limits: 'length must be at least 1' } });
  });
});
