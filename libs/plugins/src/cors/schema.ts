import type { PluginSchema } from '../plugin-schema';
import { BUNDLED_PLUGIN_VERSION, PROTOCOLS_HTTP } from '../typedefs';

const METHODS = ['GET', 'HEAD', 'PUT', 'PATCH', 'POST', 'DELETE', 'OPTIONS', 'TRACE', 'CONNECT'];

export const corsSchema: PluginSchema = {
  name: 'cors',
  version: BUNDLED_PLUGIN_VERSION,
  priority: 2000,
  phases: ['access', 'response'],
  protocols: PROTOCOLS_HTTP,
  no_consumer: true,
  config: {
    origins: {
      type: 'array',
      elements: { type: 'string', check: 'asterisk_or_regex' },
      nullable: true,
      description: 'Allowed origins: `*`, exact origins, or regexes; null allows any origin.',
    },
    headers: {
      type: 'array',
      elements: { type: 'string', check: 'header_name' },
      nullable: true,
      description: 'Access-Control-Allow-Headers; null echoes the Access-Control-Request-Headers asked for.',
    },
    exposed_headers: {
      type: 'array',
      elements: { type: 'string', check: 'header_name' },
      nullable: true,
      description: 'Access-Control-Expose-Headers.',
    },
    methods: {
      type: 'array',
      elements: { type: 'string', one_of: METHODS },
      default: METHODS,
      nullable: true,
      description: 'Access-Control-Allow-Methods; null sends all of them, as the default.',
    },
    max_age: { type: 'number', nullable: true, description: 'Access-Control-Max-Age: seconds a preflight may be cached.' },
    credentials: {
      type: 'boolean',
      default: false,
      required: true,
      description: 'Send Access-Control-Allow-Credentials: true.',
    },
    private_network: {
      type: 'boolean',
      default: false,
      required: true,
      description: 'Send Access-Control-Allow-Private-Network: true on preflights that ask for it.',
    },
    preflight_continue: {
      type: 'boolean',
      default: false,
      required: true,
      description: 'Proxy OPTIONS preflight requests upstream instead of answering them.',
    },
    allow_origin_absent: {
      type: 'boolean',
      default: true,
      required: true,
      description: 'Send the CORS response headers also when the request has no Origin header.',
    },
  },
};
