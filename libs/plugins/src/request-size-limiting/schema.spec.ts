import { validatePluginConfig } from '../validate-plugin-config';

describe('request-size-limiting schema', () => {
  it("fills Kong's defaults", () => {
    expect(validatePluginConfig('request-size-limiting', {}).value).toEqual({
      allowed_payload_size: 128,
      size_unit: 'megabytes',
      require_content_length: false,
    });
  });

  it('coerces the size and refuses fractions and unknown units', () => {
    expect(
      validatePluginConfig('request-size-limiting', { allowed_payload_size: '10' }, { coerce: true }).value.allowed_payload_size,
    ).toBe(10);
    expect(validatePluginConfig('request-size-limiting', { allowed_payload_size: 1.5, size_unit: 'gigabytes' }).errors).toEqual({
      config: { allowed_payload_size: 'expected an integer', size_unit: 'expected one of: megabytes, kilobytes, bytes' },
    });
  });
});
