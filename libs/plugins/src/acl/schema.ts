import type { PluginSchema } from '../plugin-schema';
import { BUNDLED_PLUGIN_VERSION, PROTOCOLS_HTTP } from '../typedefs';

export const aclSchema: PluginSchema = {
  name: 'acl',
  version: BUNDLED_PLUGIN_VERSION,
  priority: 950,
  phases: ['access'],
  protocols: PROTOCOLS_HTTP,
  no_consumer: true,
  config: {
    allow: {
      type: 'array',
      elements: { type: 'string' },
      nullable: true,
      description: 'Consumer groups allowed through; everyone else gets 403.',
    },
    deny: {
      type: 'array',
      elements: { type: 'string' },
      nullable: true,
      description: 'Consumer groups refused with 403; everyone else passes.',
    },
    hide_groups_header: {
      type: 'boolean',
      default: false,
      required: true,
      description: 'Do not send the X-Consumer-Groups header upstream.',
    },
    always_use_authenticated_groups: {
      type: 'boolean',
      default: false,
      required: true,
      description: 'Match on the groups of the authenticated credential even when the consumer is anonymous.',
    },
  },
  config_checks: [{ only_one_of: ['allow', 'deny'] }],
};
