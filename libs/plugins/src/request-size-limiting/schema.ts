import type { PluginSchema } from '../plugin-schema';
import { BUNDLED_PLUGIN_VERSION, PROTOCOLS_HTTP } from '../typedefs';

export const requestSizeLimitingSchema: PluginSchema = {
  name: 'request-size-limiting',
  version: BUNDLED_PLUGIN_VERSION,
  priority: 951,
  phases: ['access'],
  protocols: PROTOCOLS_HTTP,
  config: {
    allowed_payload_size: {
      type: 'integer',
      default: 128,
      required: true,
      description: 'Largest request body allowed, in size_unit; larger bodies get 413.',
    },
    size_unit: {
      type: 'string',
      one_of: ['megabytes', 'kilobytes', 'bytes'],
      default: 'megabytes',
      required: true,
      description: 'Unit of allowed_payload_size.',
    },
    require_content_length: {
      type: 'boolean',
      default: false,
      required: true,
      description: 'Refuse requests without a Content-Length header with 411.',
    },
  },
};
