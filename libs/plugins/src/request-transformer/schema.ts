import type { FieldMap, FieldSchema } from '@tollgate/config';
import type { PluginSchema } from '../plugin-schema';
import { BUNDLED_PLUGIN_VERSION, PROTOCOLS_HTTP, record, stringArray } from '../typedefs';

/** `what` is how each entry reads: `name`, `old:new` or `name:value`. */
function parts(what: string): FieldMap {
  const pair: FieldSchema = { type: 'string', check: 'colon_pair' };
  return {
    headers: stringArray(`Headers, each as ${what}.`, pair),
    querystring: stringArray(`Query string parameters, each as ${what}.`, pair),
    body: stringArray(`Form or JSON body parameters, each as ${what}.`, pair),
  };
}

export const requestTransformerSchema: PluginSchema = {
  name: 'request-transformer',
  version: BUNDLED_PLUGIN_VERSION,
  priority: 801,
  phases: ['access'],
  protocols: PROTOCOLS_HTTP,
  config: {
    http_method: {
      type: 'string',
      check: 'http_method',
      nullable: true,
      description: 'Method sent upstream instead of the request method.',
    },
    remove: record('Removed before proxying.', {
      querystring: stringArray('Query string parameters, each as name.'),
      body: stringArray('Form or JSON body parameters, each as name.'),
      headers: stringArray('Headers, each as name.', { type: 'string', check: 'header_name' }),
    }),
    rename: record('Renamed before proxying, when present.', parts('old:new')),
    replace: record('Values replaced, only when the name is present.', {
      ...parts('name:value'),
      uri: { type: 'string', nullable: true, description: 'Path sent upstream instead of the request path.' },
    }),
    add: record('Added, only when the name is absent.', parts('name:value')),
    append: record('Added alongside any existing values.', parts('name:value')),
  },
};
