import { queueField } from '../log-queue';
import { customFieldsByLua } from '../log-serializer';
import type { PluginSchema } from '../plugin-schema';
import { BUNDLED_PLUGIN_VERSION, PROTOCOLS_HTTP } from '../typedefs';

/** Kong's http-log (kong/plugins/http-log/schema.lua). */
export const httpLogSchema: PluginSchema = {
  name: 'http-log',
  version: BUNDLED_PLUGIN_VERSION,
  priority: 12,
  phases: ['log'],
  protocols: PROTOCOLS_HTTP,
  config: {
    http_endpoint: { type: 'string', check: 'url', required: true, encrypted: true, description: 'URL the log entries are sent to (http or https; user info becomes Basic authorization).' },
    method: { type: 'string', default: 'POST', one_of: ['POST', 'PUT', 'PATCH'], description: 'HTTP method used to send the entries.' },
    content_type: {
      type: 'string',
      default: 'application/json',
      one_of: ['application/json', 'application/json; charset=utf-8'],
      description: 'Content-Type of the body sent.',
    },
    timeout: { type: 'number', default: 10000, description: 'Timeout in ms for sending one batch.' },
    keepalive: { type: 'number', default: 60000, description: 'How long in ms an idle connection to the endpoint stays open.' },
    retry_count: { type: 'integer', nullable: true, description: 'Deprecated in Kong and ignored: use queue.max_retry_time.' },
    headers: {
      type: 'map',
      keys: { type: 'string', check: 'log_header_name' },
      values: { type: 'string' },
      nullable: true,
      description: 'Headers added to every request to the endpoint (not Host, Content-Length or Content-Type).',
    },
    queue: queueField(),
    custom_fields_by_lua: customFieldsByLua,
  },
  // Kong 3.x's deprecated flat names.
  shorthands: { queue_size: 'queue.max_batch_size', flush_timeout: 'queue.max_coalescing_delay' },
};
