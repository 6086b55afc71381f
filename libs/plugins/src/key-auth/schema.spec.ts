import { validatePluginConfig } from '../validate-plugin-config';

describe('key-auth schema', () => {
  it("fills Kong's defaults", () => {
    expect(validatePluginConfig('key-auth', {}).value).toEqual({
      key_names: ['apikey'],
      hide_credentials: false,
      anonymous: null,
      key_in_header: true,
      key_in_query: true,
      key_in_body: false,
      run_on_preflight: true,
      realm: null,
    });
  });

  it('coerces form strings: a single key_names value and booleans', () => {
    const { value, errors } = validatePluginConfig(
      'key-auth',
      { key_names: 'x-api-key', hide_credentials: 'true', key_in_query: 'false' },
      { coerce: true },
    );
    expect(errors).toBeNull();
    expect(value).toMatchObject({ key_names: ['x-api-key'], hide_credentials: true, key_in_query: false });
  });

  it('refuses an empty key_names, a bad header name and a non-boolean', () => {
    expect(validatePluginConfig('key-auth', { key_names: [] }).errors).toEqual({
      config: { key_names: 'length must be at least 1' },
    });
    expect(validatePluginConfig('key-auth', { key_names: ['api key'], key_in_body: 'yes' }).errors).toEqual({
      config: { key_names: ['bad header name: api key'], key_in_body: 'expected a boolean' },
    });
  });
});
