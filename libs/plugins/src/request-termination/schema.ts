import type { PluginSchema } from '../plugin-schema';
import { BUNDLED_PLUGIN_VERSION, PROTOCOLS_HTTP } from '../typedefs';

const isPresent = (value: unknown) => typeof value === 'string' && value.length > 0;

export const requestTerminationSchema: PluginSchema = {
  name: 'request-termination',
  version: BUNDLED_PLUGIN_VERSION,
  priority: 2,
  phases: ['access'],
  protocols: PROTOCOLS_HTTP,
  config: {
    status_code: { type: 'integer', required: true, default: 503, between: [100, 599], description: 'The response code to send.' },
    message: { type: 'string', nullable: true, description: 'The message to send, if using the default response generator.' },
    content_type: { type: 'string', nullable: true, description: 'Content type of the raw response configured with `body`.' },
    body: { type: 'string', nullable: true, description: 'The raw response body to send; cannot be combined with `message`.' },
    echo: {
      type: 'boolean',
      required: true,
      default: false,
      description: 'Echo a copy of the request back to the client (for debugging, with `trigger` on live traffic).',
    },
    trigger: {
      type: 'string',
      check: 'header_name',
      nullable: true,
      description: 'A header or query parameter whose presence makes the plugin terminate; without it the request passes.',
    },
  },
  // Kong's custom_validator, with its messages.
  config_validator(config) {
    if (isPresent(config.message) && (isPresent(config.content_type) || isPresent(config.body))) return 'message cannot be used with content_type or body';
    if (isPresent(config.content_type) && !isPresent(config.body)) return 'content_type requires a body';
    if (config.echo === true && (isPresent(config.content_type) || isPresent(config.body))) return 'echo cannot be used with content_type and body';
    return null;
  },
};
