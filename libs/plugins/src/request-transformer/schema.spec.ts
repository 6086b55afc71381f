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
});
