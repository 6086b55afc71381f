import { validatePluginConfig } from '../validate-plugin-config';

// spec/03-plugins/31-proxy-cache/01-schema_spec.lua and 03-api_spec.lua "(schema)"
describe('proxy-cache schema', () => {
  it("fills Kong's defaults", () => {
    expect(validatePluginConfig('proxy-cache', {}).value).toMatchObject({
      response_code: [200, 301, 404],
      request_method: ['GET', 'HEAD'],
      content_type: ['text/plain', 'application/json'],
      cache_ttl: 300,
      strategy: 'memory',
      cache_control: false,
      response_headers: { age: true, 'X-Cache-Status': true, 'X-Cache-Key': true },
    });
  });

  // it("accepts an array of numbers as strings") / it("casts an array of response_code values to number types")
  it('coerces response codes from a form', () => {
    expect(validatePluginConfig('proxy-cache', { response_code: ['123', '200'] }, { coerce: true }).value.response_code).toEqual([123, 200]);
  });

  // it("errors if response_code is an empty array") / "... is a string" / "... has non-numeric values" / "... has float value"; unknown strategy
  it('refuses bad response codes, an unknown strategy and an unknown field', () => {
    expect(validatePluginConfig('proxy-cache', { response_code: [] }).errors).toMatchObject({ config: { response_code: expect.anything() } });
    expect(validatePluginConfig('proxy-cache', { response_code: ['abc'] }).errors).toMatchObject({ config: { response_code: expect.anything() } });
    expect(validatePluginConfig('proxy-cache', { response_code: [200.5] }).errors).toMatchObject({ config: { response_code: expect.anything() } });
    expect(validatePluginConfig('proxy-cache', { strategy: 'redis' }).errors).toEqual({ config: { strategy: 'expected one of: memory' } });
    expect(validatePluginConfig('proxy-cache', { ttl: 1 }).errors).toEqual({ config: { ttl: 'unknown field' } });
  });
});
