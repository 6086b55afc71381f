import type { PluginSchema } from '../plugin-schema';
import { BUNDLED_PLUGIN_VERSION, PROTOCOLS_HTTP, anonymous } from '../typedefs';

export const keyAuthSchema: PluginSchema = {
  name: 'key-auth',
  version: BUNDLED_PLUGIN_VERSION,
  priority: 1250,
  phases: ['access'],
  protocols: PROTOCOLS_HTTP,
  no_consumer: true,
  config: {
    key_names: {
      type: 'array',
      elements: { type: 'string', check: 'header_name' },
      len_min: 1,
      default: ['apikey'],
      required: true,
      description: 'Header, query and body parameter names where the plugin looks for a key.',
    },
    hide_credentials: {
      type: 'boolean',
      default: false,
      required: true,
      description: 'Remove the key from the request before proxying it upstream.',
    },
    anonymous,
    key_in_header: { type: 'boolean', default: true, required: true, description: 'Look for the key in request headers.' },
    key_in_query: { type: 'boolean', default: true, required: true, description: 'Look for the key in the query string.' },
    key_in_body: {
      type: 'boolean',
      default: false,
      required: true,
      description: 'Look for the key in a form, multipart or JSON request body.',
    },
    run_on_preflight: {
      type: 'boolean',
      default: true,
      required: true,
      description: 'Authenticate OPTIONS preflight requests too; when false they always pass.',
    },
    realm: {
      type: 'string',
      nullable: true,
      description: 'realm attribute of the WWW-Authenticate header sent when authentication fails.',
    },
  },
};
