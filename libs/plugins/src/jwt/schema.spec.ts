import { validatePluginConfig } from '../validate-plugin-config';

describe('jwt schema', () => {
  it("fills Kong's defaults", () => {
    expect(validatePluginConfig('jwt', {}).value).toEqual({
      uri_param_names: ['jwt'],
      cookie_names: [],
      header_names: ['authorization'],
      key_claim_name: 'iss',
      secret_is_base64: false,
      claims_to_verify: null,
      anonymous: null,
      run_on_preflight: true,
      maximum_expiration: 0,
      realm: null,
    });
  });

  it('accepts exp and nbf only, de-duplicated as a set', () => {
    expect(validatePluginConfig('jwt', { claims_to_verify: ['exp', 'nbf', 'exp'] }).value.claims_to_verify).toEqual([
      'exp',
      'nbf',
    ]);
    expect(validatePluginConfig('jwt', { claims_to_verify: ['iat'] }).errors).toEqual({
      config: { claims_to_verify: ['expected one of: exp, nbf'] },
    });
  });

  it('coerces and bounds maximum_expiration', () => {
    expect(validatePluginConfig('jwt', { maximum_expiration: '3600' }, { coerce: true }).value.maximum_expiration).toBe(
      3600,
    );
    expect(validatePluginConfig('jwt', { maximum_expiration: 31536001 }).errors).toEqual({
      config: { maximum_expiration: 'value should be between 0 and 31536000' },
    });
  });

  it("requires exp among claims_to_verify when maximum_expiration is set (Kong's 06-schema_spec)", () => {
    expect(validatePluginConfig('jwt', { maximum_expiration: 60 }).errors).toEqual({
      config: { '@entity': ["failed conditional validation given value of field 'maximum_expiration': claims_to_verify: must contain 'exp'"] },
    });
    expect(validatePluginConfig('jwt', { maximum_expiration: 60, claims_to_verify: ['exp'] }).errors).toBeNull();
  });
});
