import type { PluginSchema } from '../plugin-schema';
import { BUNDLED_PLUGIN_VERSION, PROTOCOLS_HTTP, anonymous } from '../typedefs';

export const basicAuthSchema: PluginSchema = {
  name: 'basic-auth',
  version: BUNDLED_PLUGIN_VERSION,
  priority: 1100,
  phases: ['access'],
  protocols: PROTOCOLS_HTTP,
  no_consumer: true,
  config: {
    anonymous,
    hide_credentials: {
      type: 'boolean',
      default: false,
      required: true,
      description: 'Remove the Authorization header before proxying the request upstream.',
    },
    realm: {
      type: 'string',
      default: 'service',
      required: true,
      description: 'realm attribute of the WWW-Authenticate header sent when authentication fails.',
    },
  },
};
