import { validatePluginConfig } from '../validate-plugin-config';

describe('response-transformer schema', () => {
  it('fills every record with empty lists; json_types only where values are written', () => {
    const typed = { headers: [], json: [], json_types: [] };
    expect(validatePluginConfig('response-transformer', {}).value).toEqual({
      remove: { headers: [], json: [] },
      rename: { headers: [], json: [] },
      replace: typed,
      add: typed,
      append: typed,
    });
  });

  it('refuses unknown json types and non-string entries', () => {
    expect(validatePluginConfig('response-transformer', { add: { json: ['n:1'], json_types: ['integer'] } }).errors).toEqual({
      config: { add: { json_types: ['expected one of: boolean, number, string'] } },
    });
    expect(validatePluginConfig('response-transformer', { remove: { headers: [1] } }).errors).toEqual({
      config: { remove: { headers: ['expected a string'] } },
    });
  });
});
