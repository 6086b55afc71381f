import { customFieldsByLua } from '../log-serializer';
import type { PluginSchema } from '../plugin-schema';
import { BUNDLED_PLUGIN_VERSION, PROTOCOLS_HTTP } from '../typedefs';

/** Kong's file-log (kong/plugins/file-log/schema.lua). */
export const fileLogSchema: PluginSchema = {
  name: 'file-log',
  version: BUNDLED_PLUGIN_VERSION,
  priority: 9,
  phases: ['log'],
  protocols: PROTOCOLS_HTTP,
  config: {
    path: { type: 'string', check: 'file_path', required: true, description: 'File the entries are appended to (one JSON object per line); created if missing, its directory is not.' },
    reopen: { type: 'boolean', default: false, required: true, description: 'Close and reopen the file for every write (to follow log rotation).' },
    custom_fields_by_lua: customFieldsByLua,
  },
};
