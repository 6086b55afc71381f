import { validatePluginConfig } from '../validate-plugin-config';

describe('basic-auth schema', () => {
  it('keeps a given realm and anonymous consumer', () => {
    expect(validatePluginConfig('basic-auth', { realm: 'api', anonymous: 'guest' }).value).toEqual({
      anonymous: 'guest',
      hide_credentials: false,
      realm: 'api',
    });
  });

  it('refuses a null realm, which Kong requires', () => {
    expect(validatePluginConfig('basic-auth', { realm: null }).errors).toEqual({
      config: { realm: 'required field missing' },
    });
  });
});
