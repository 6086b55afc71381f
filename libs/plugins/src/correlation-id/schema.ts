import type { PluginSchema } from '../plugin-schema';
import { BUNDLED_PLUGIN_VERSION, PROTOCOLS_HTTP } from '../typedefs';

export const correlationIdSchema: PluginSchema = {
  name: 'correlation-id',
  version: BUNDLED_PLUGIN_VERSION,
  priority: 100001,
  phases: ['access', 'response', 'log'],
  protocols: PROTOCOLS_HTTP,
  config: {
    header_name: {
      type: 'string',
      check: 'header_name',
      default: 'Kong-Request-ID',
      description: 'Header carrying the correlation id; an id already present in the request is kept.',
    },
    generator: {
      type: 'string',
      one_of: ['uuid', 'uuid#counter', 'tracker'],
      default: 'uuid#counter',
      required: true,
      description: 'How ids are made: a uuid per request, a uuid per worker plus a counter, or a tracker id.',
    },
    echo_downstream: {
      type: 'boolean',
      default: false,
      required: true,
      description: 'Send the header back to the client in the response.',
    },
  },
};
