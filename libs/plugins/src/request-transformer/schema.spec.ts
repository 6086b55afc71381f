import { validatePluginConfig } from '../validate-plugin-config';

const EMPTY = { headers: [], querystring: [], body: [] };

describe('request-transformer schema', () => {
  it('fills every record with empty lists', () => {
    expect(validatePluginConfig('request-transformer', {}).value).toEqual({
      http_method: null,
      remove: EMPTY,
      rename: EMPTY,
      replace: { ...EMPTY, uri: null },
      add: EMPTY,
      append: EMPTY,
    });
  });

  it('fills the lists a partial record leaves out, and coerces a single form value', () => {
    const { value, errors } = validatePluginConfig('request-transformer', { add: { headers: 'x-tenant:acme' } }, { coerce: true });
    expect(errors).toBeNull();
    expect(value.add).toEqual({ ...EMPTY, headers: ['x-tenant:acme'] });
  });

  it('refuses lowercase methods, bad header names to remove, and unknown parts', () => {
    expect(
      validatePluginConfig('request-transformer', { http_method: 'post', remove: { headers: ['a b'], cookies: [] } }).errors,
    ).toEqual({
      config: { http_method: 'invalid value: post', remove: { headers: ['bad header name: a b'], cookies: 'unknown field' } },
    });
  });

  // spec/03-plugins/36-request-transformer/01-schema_spec.lua: "validates http_method" and the colon checks
  it('refuses an entry without a value separator and a template expression, naming the entry', () => {
    expect(validatePluginConfig('request-transformer', { add: { headers: ['x-a'], querystring: ['q:$(query_params.a)'] } }).errors).toEqual({
      config: { add: { headers: ['invalid value: x-a (expected name:value)'], querystring: ['templates are not supported: q:$(query_params.a)'] } },
    });
  });
});
