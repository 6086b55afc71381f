import { ipRestrictionSchema } from './schema';
import { validatePluginConfig } from '../validate-plugin-config';

describe('ip-restriction schema', () => {
  it('accepts addresses and CIDR ranges of both families', () => {
    const { value, errors } = validatePluginConfig('ip-restriction', { allow: ['10.0.0.0/8', '192.168.1.7', '2001:db8::/32'] });
    expect(errors).toBeNull();
    expect(value).toEqual({ allow: ['10.0.0.0/8', '192.168.1.7', '2001:db8::/32'], deny: null, status: null, message: null });
  });

  it('refuses what is not an address or range', () => {
    expect(validatePluginConfig('ip-restriction', { deny: ['10.0.0.0/33', 'example.com'] }).errors).toEqual({
      config: { deny: ['invalid cidr range: 10.0.0.0/33', 'invalid ip or cidr range: example.com'] },
    });
  });

  it('requires allow or deny', () => {
    expect(validatePluginConfig('ip-restriction', { status: '403' }, { coerce: true }).errors).toEqual({
      config: { '@entity': ["at least one of these fields must be non-empty: 'allow', 'deny'"] },
    });
  });

  it('runs on stream protocols too by default', () => {
    expect(ipRestrictionSchema.protocols).toEqual(expect.arrayContaining(['tcp', 'tls', 'http', 'https']));
  });
});
