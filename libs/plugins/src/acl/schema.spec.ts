import { validatePluginConfig } from '../validate-plugin-config';

const EXACTLY_ONE = "exactly one of these fields must be non-empty: 'allow', 'deny'";

describe('acl schema', () => {
  it('accepts allow alone and fills the rest', () => {
    expect(validatePluginConfig('acl', { allow: ['gold'] })).toEqual({
      value: { allow: ['gold'], deny: null, hide_groups_header: false, always_use_authenticated_groups: false },
      errors: null,
    });
  });

  it('coerces a single form value of deny into a list', () => {
    expect(validatePluginConfig('acl', { deny: 'banned' }, { coerce: true }).value.deny).toEqual(['banned']);
  });

  it('requires exactly one of allow and deny', () => {
    expect(validatePluginConfig('acl', {}).errors).toEqual({ config: { '@entity': [EXACTLY_ONE] } });
    expect(validatePluginConfig('acl', { allow: ['a'], deny: ['b'] }).errors).toEqual({
      config: { '@entity': [EXACTLY_ONE] },
    });
  });
});
