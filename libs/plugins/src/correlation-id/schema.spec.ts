import { validatePluginConfig } from '../validate-plugin-config';

describe('correlation-id schema', () => {
  it("fills Kong's defaults", () => {
    expect(validatePluginConfig('correlation-id', {}).value).toEqual({
      header_name: 'Kong-Request-ID',
      generator: 'uuid#counter',
      echo_downstream: false,
    });
  });

  it('refuses unknown generators and bad header names', () => {
    expect(validatePluginConfig('correlation-id', { generator: 'ulid', header_name: 'Request ID' }).errors).toEqual({
      config: { generator: 'expected one of: uuid, uuid#counter, tracker', header_name: 'bad header name: Request ID' },
    });
  });
});
