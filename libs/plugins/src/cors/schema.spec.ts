import { validatePluginConfig } from '../validate-plugin-config';

describe('cors schema', () => {
  it("fills Kong's defaults", () => {
    expect(validatePluginConfig('cors', {}).value).toEqual({
      origins: null,
      headers: null,
      exposed_headers: null,
      methods: ['GET', 'HEAD', 'PUT', 'PATCH', 'POST', 'DELETE', 'OPTIONS', 'TRACE', 'CONNECT'],
      max_age: null,
      credentials: false,
      private_network: false,
      preflight_continue: false,
      allow_origin_absent: true,
    });
  });

  it('coerces max_age and credentials from a form', () => {
    const { value } = validatePluginConfig('cors', { origins: '*', max_age: '3600', credentials: 'true' }, { coerce: true });
    expect(value).toMatchObject({ origins: ['*'], max_age: 3600, credentials: true });
  });

  // spec/03-plugins/13-cors/02-schema_spec.lua: "origins rejects invalid regexes"
  it('refuses an origin that is neither * nor a valid regex, naming it', () => {
    expect(validatePluginConfig('cors', { origins: ['*', 'https://a.test', '[bad'] }).errors).toEqual({
      config: { origins: ["'[bad' is not a valid regex"] },
    });
  });

  // 01-access_spec route12 sets `methods = ngx.null`
  it('accepts null methods', () => {
    expect(validatePluginConfig('cors', { methods: null }).errors).toBeNull();
  });

  it('refuses unknown methods and bad header names', () => {
    expect(validatePluginConfig('cors', { methods: ['GET', 'FETCH'], headers: ['X Bad'] }).errors).toEqual({
      config: {
        methods: ['expected one of: GET, HEAD, PUT, PATCH, POST, DELETE, OPTIONS, TRACE, CONNECT'],
        headers: ['bad header name: X Bad'],
      },
    });
  });
});
