import type { FieldMap, FieldSchema } from '@tollgate/config';
import type { PluginSchema } from '../plugin-schema';
import { BUNDLED_PLUGIN_VERSION, PROTOCOLS_HTTP, record, stringArray } from '../typedefs';

function parts(what: string): FieldMap {
  const element: FieldSchema = what === 'name' ? { type: 'string' } : { type: 'string', check: 'colon_pair' };
  return {
    headers: stringArray(`Response headers, each as ${what}.`, element),
    json: stringArray(`Top-level keys of a JSON response body, each as ${what}.`, element),
  };
}

/** Kong only types json values on writes; remove and rename carry no values. */
function withTypes(what: string): FieldMap {
  return {
    ...parts(what),
    json_types: stringArray('Type of each json entry, by position; string when absent.', {
      type: 'string',
      one_of: ['boolean', 'number', 'string'],
    }),
  };
}

export const responseTransformerSchema: PluginSchema = {
  name: 'response-transformer',
  version: BUNDLED_PLUGIN_VERSION,
  priority: 800,
  phases: ['response'],
  protocols: PROTOCOLS_HTTP,
  config: {
    remove: record('Removed from the response.', parts('name')),
    rename: record('Renamed in the response, when present.', parts('old:new')),
    replace: record('Values replaced, only when the name is present.', withTypes('name:value')),
    add: record('Added, only when the name is absent.', withTypes('name:value')),
    append: record('Added alongside any existing values.', withTypes('name:value')),
  },
};
