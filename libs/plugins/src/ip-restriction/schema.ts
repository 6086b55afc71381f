import type { PluginSchema } from '../plugin-schema';
import { BUNDLED_PLUGIN_VERSION } from '../typedefs';

export const ipRestrictionSchema: PluginSchema = {
  name: 'ip-restriction',
  version: BUNDLED_PLUGIN_VERSION,
  priority: 990,
  phases: ['access'],
  protocols: ['http', 'https', 'tcp', 'tls', 'grpc', 'grpcs'],
  config: {
    allow: {
      type: 'array',
      elements: { type: 'string', check: 'ip_or_cidr' },
      nullable: true,
      description: 'IP addresses or CIDR ranges allowed; all others are refused.',
    },
    deny: {
      type: 'array',
      elements: { type: 'string', check: 'ip_or_cidr' },
      nullable: true,
      description: 'IP addresses or CIDR ranges refused; checked before allow.',
    },
    status: { type: 'number', nullable: true, description: 'Status answered to a refused client (default 403).' },
    message: {
      type: 'string',
      nullable: true,
      description: 'Message answered to a refused client (default "IP address not allowed").',
    },
  },
  config_checks: [{ at_least_one_of: ['allow', 'deny'] }],
};
