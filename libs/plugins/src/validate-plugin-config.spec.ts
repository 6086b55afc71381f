import { describeErrors } from '@tollgate/config';
import { validatePluginConfig } from './index';

describe('validatePluginConfig', () => {
  it('rejects an unknown plugin, naming it', () => {
    const { errors } = validatePluginConfig('no-such-plugin', {});
    expect(errors).toEqual({ name: "plugin 'no-such-plugin' not enabled; add it to the 'plugins' configuration property" });
  });

  it('treats an absent config as empty and fills the defaults', () => {
    expect(validatePluginConfig('basic-auth', undefined)).toEqual({
      value: { anonymous: null, hide_credentials: false, realm: 'service' },
      errors: null,
    });
  });

  it('rejects unknown config fields under config', () => {
    const { errors } = validatePluginConfig('basic-auth', { realm: 'x', hide_credential: true });
    expect(errors).toEqual({ config: { hide_credential: 'unknown field' } });
  });

  it('reads like Kong when described', () => {
    const { errors } = validatePluginConfig('rate-limiting', { minute: 'ten' });
    expect(describeErrors(errors!)).toBe('schema violation (config.minute: expected a number)');
  });

  it('rejects a config that is not a record', () => {
    expect(validatePluginConfig('cors', ['GET']).errors).toEqual({ config: { '@entity': ['expected a record'] } });
  });
});
