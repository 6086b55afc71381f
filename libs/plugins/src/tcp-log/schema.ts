import { customFieldsByLua } from '../log-serializer';
import type { PluginSchema } from '../plugin-schema';
import { BUNDLED_PLUGIN_VERSION, PROTOCOLS_HTTP } from '../typedefs';

/** Kong's tcp-log (kong/plugins/tcp-log/schema.lua). */
export const tcpLogSchema: PluginSchema = {
  name: 'tcp-log',
  version: BUNDLED_PLUGIN_VERSION,
  priority: 7,
  phases: ['log'],
  protocols: PROTOCOLS_HTTP,
  config: {
    host: { type: 'string', check: 'host', required: true, description: 'The IP address or host name to send data to.' },
    port: { type: 'integer', between: [0, 65535], required: true, description: 'The port to send data to on the upstream server.' },
    timeout: { type: 'number', default: 10000, description: 'Timeout in ms for connecting and sending.' },
    keepalive: { type: 'number', default: 60000, description: 'How long in ms an idle connection lives before being closed.' },
    tls: { type: 'boolean', default: false, required: true, description: 'Perform a TLS handshake with the remote server (its certificate is not verified, as in Kong).' },
    tls_sni: { type: 'string', nullable: true, description: 'SNI host name sent in the TLS handshake.' },
    custom_fields_by_lua: customFieldsByLua,
  },
};
