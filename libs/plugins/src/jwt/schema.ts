import type { PluginSchema } from '../plugin-schema';
import { BUNDLED_PLUGIN_VERSION, PROTOCOLS_HTTP, anonymous } from '../typedefs';

export const jwtSchema: PluginSchema = {
  name: 'jwt',
  version: BUNDLED_PLUGIN_VERSION,
  priority: 1450,
  phases: ['access'],
  protocols: PROTOCOLS_HTTP,
  no_consumer: true,
  config: {
    uri_param_names: {
      type: 'set',
      elements: { type: 'string' },
      default: ['jwt'],
      description: 'Query string parameters inspected for a token.',
    },
    cookie_names: {
      type: 'set',
      elements: { type: 'string' },
      default: [],
      description: 'Cookies inspected for a token.',
    },
    header_names: {
      type: 'set',
      elements: { type: 'string', check: 'header_name' },
      default: ['authorization'],
      description: 'Headers inspected for a token (Bearer scheme).',
    },
    key_claim_name: {
      type: 'string',
      default: 'iss',
      description: 'Claim whose value identifies the jwt_secret (its `key`) that signed the token.',
    },
    secret_is_base64: {
      type: 'boolean',
      default: false,
      required: true,
      description: 'The credential secret is base64-encoded.',
    },
    claims_to_verify: {
      type: 'set',
      elements: { type: 'string', one_of: ['exp', 'nbf'] },
      nullable: true,
      description: 'Registered claims to verify: exp (not expired) and nbf (not before).',
    },
    anonymous,
    run_on_preflight: {
      type: 'boolean',
      default: true,
      required: true,
      description: 'Authenticate OPTIONS preflight requests too; when false they always pass.',
    },
    maximum_expiration: {
      type: 'number',
      default: 0,
      between: [0, 31536000],
      description: 'Largest allowed lifetime of a token in seconds (exp minus now); 0 means no limit.',
    },
    realm: {
      type: 'string',
      nullable: true,
      description: 'realm attribute of the WWW-Authenticate header sent when authentication fails.',
    },
  },
  config_checks: [
    { conditional: { if_field: 'maximum_expiration', if_match: { gt: 0 }, then_field: 'claims_to_verify', then_match: { contains: 'exp' } } },
  ],
};
