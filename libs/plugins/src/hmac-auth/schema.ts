import type { PluginSchema } from '../plugin-schema';
import { BUNDLED_PLUGIN_VERSION, PROTOCOLS_HTTP, anonymous } from '../typedefs';

export const HMAC_ALGORITHMS = ['hmac-sha1', 'hmac-sha256', 'hmac-sha384', 'hmac-sha512'] as const;

export const hmacAuthSchema: PluginSchema = {
  name: 'hmac-auth',
  version: BUNDLED_PLUGIN_VERSION,
  priority: 1030,
  phases: ['access'],
  protocols: PROTOCOLS_HTTP,
  no_consumer: true,
  config: {
    hide_credentials: {
      type: 'boolean',
      required: true,
      default: false,
      description: 'Remove the Authorization (or Proxy-Authorization) header before proxying the request upstream.',
    },
    clock_skew: { type: 'number', gt: 0, default: 300, description: 'Seconds a Date or X-Date header may differ from the clock (against replays).' },
    anonymous,
    validate_request_body: {
      type: 'boolean',
      required: true,
      default: false,
      description: 'Check the body against the Digest header (SHA-256=base64); no Digest then means no body.',
    },
    enforce_headers: {
      type: 'array',
      elements: { type: 'string' },
      default: [],
      description: 'Headers the client must at least include in the signature.',
    },
    algorithms: {
      type: 'array',
      elements: { type: 'string', one_of: HMAC_ALGORITHMS },
      default: [...HMAC_ALGORITHMS],
      description: 'HMAC digest algorithms accepted.',
    },
    realm: {
      type: 'string',
      nullable: true,
      description: 'realm attribute of the WWW-Authenticate header sent when authentication fails.',
    },
  },
};
